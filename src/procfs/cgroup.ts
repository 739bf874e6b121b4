/**
 * /proc/PID/cgroup -> container id, runtime and Kubernetes pod uid.
 *
 * Lines are `hierarchy:controllers:path` (v1: many lines; v2: one `0::path` line). Container
 * runtimes name the leaf cgroup after the 64-hex container id:
 *   docker      /docker/<id>                       /system.slice/docker-<id>.scope
 *   containerd  .../cri-containerd-<id>.scope       /kubepods/<qos>/pod<uid>/<id>  (cgroupfs driver)
 *   CRI-O       .../crio-<id>.scope                 .../crio-conmon-<id>.scope is the monitor, not the container
 *   podman      .../libpod-<id>.scope[/container]   /libpod_parent/libpod-<id>
 * The systemd driver writes the pod uid with '_' for '-' (kubepods-besteffort-pod<uid>.slice).
 */
export interface CgroupContainer {
  id: string;
  runtime: string;
  podUid: string;
}

export const NO_CONTAINER: CgroupContainer = Object.freeze({ id: '', runtime: '', podUid: '' });

const PREFIXED = /(?:^|\/)(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;
const BARE_AFTER = /\/(docker|pod[0-9a-f_-]{36})\/([0-9a-f]{64})(?:\/|$)/;
const POD_UID = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/;

const RUNTIME_OF_PREFIX: Record<string, string> = {
  docker: 'docker',
  'cri-containerd': 'containerd',
  crio: 'cri-o',
  libpod: 'podman',
};

export function parseCgroupContainer(text: string): CgroupContainer {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    if (!path) continue;
    const found = containerOfPath(path);
    if (found) return found;
  }
  return NO_CONTAINER;
}

function containerOfPath(path: string): CgroupContainer | null {
  const podUid = (POD_UID.exec(path)?.[1] ?? '').replace(/_/g, '-');
  const prefixed = PREFIXED.exec(path);
  if (prefixed) return { id: prefixed[2]!, runtime: RUNTIME_OF_PREFIX[prefixed[1]!]!, podUid };
  const bare = BARE_AFTER.exec(path);
  if (bare) return { id: bare[2]!, runtime: bare[1] === 'docker' ? 'docker' : 'cri', podUid };
  return podUid ? { id: '', runtime: '', podUid } : null;
}
