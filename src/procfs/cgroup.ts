/**
 * /proc/PID/cgroup -> container id, runtime and Kubernetes pod uid.
 *
 * Lines are `hierarchy-ID:controllers:path` (v1: one line per hierarchy, controllers comma-separated;
 * v2: one `0::path` line; hybrid: both). The path is relative to the *reader's* cgroup namespace, so
 * an exporter in a private cgroup namespace sees `/../../kubepods-...slice/...`. Runtimes name one
 * path segment after the 64-hex container id:
 *   docker      /docker/<id>  (cgroupfs)                 /system.slice/docker-<id>.scope  (systemd)
 *   containerd  /kubepods/<qos>/pod<uid>/<id>  (cgroupfs) .../cri-containerd-<id>.scope, nerdctl-<id>.scope
 *   CRI-O       .../pod<uid>/crio-<id>                    .../crio-<id>.scope  (crio-conmon-<id> is its monitor)
 *   podman      /libpod_parent/libpod-<id>                .../libpod-<id>.scope[/container], also rootless under
 *                                                         /user.slice/user-UID.slice/user@UID.service/
 * Kubernetes puts a pod's containers under `pod<uid>` (cgroupfs) or `kubepods[-qos]-pod<uid>.slice`
 * (systemd, '-' in the uid written '_'); a static pod's uid is the 32-hex hash of its manifest.
 *
 * The innermost container segment wins (kind, docker-in-docker: the outer one is the node). A monitor
 * (conmon) is not a container. Only validated hex ever reaches a label: a cgroup name is chosen by
 * whoever may create cgroups (a delegated user subtree too), so these labels are for slicing, not
 * for identity.
 */
export interface CgroupContainer {
  id: string;
  runtime: string;
  podUid: string;
}

export const NO_CONTAINER: CgroupContainer = Object.freeze({ id: '', runtime: '', podUid: '' });

const RUNTIME_OF_PREFIX: Record<string, string> = {
  docker: 'docker',
  'cri-containerd': 'containerd',
  nerdctl: 'containerd',
  crio: 'cri-o',
  libpod: 'podman',
};

/** Every container_runtime value this parser can produce (docs/metrics.md lists them, a test checks). */
export const CONTAINER_RUNTIMES = [...new Set(Object.values(RUNTIME_OF_PREFIX)), 'cri'] as const;

const PREFIXED_SEGMENT = /^(docker|cri-containerd|nerdctl|crio|libpod)-([0-9a-f]{64})(?:\.scope)?$/;
const BARE_ID_SEGMENT = /^[0-9a-f]{64}$/;
const POD_UID = /^(?:[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32})$/;
/** A cgroup name is a file name; anything longer is not a runtime's and is not worth matching. */
const NAME_MAX = 255;
/** cgroup v2 marks a removed cgroup this way; the process is still in it. */
const DELETED_SUFFIX = ' (deleted)';

export function parseCgroupContainer(text: string): CgroupContainer {
  let podOnly: CgroupContainer | null = null;
  for (const line of text.split('\n')) {
    const found = containerOfPath(pathOfLine(line));
    if (found?.id) return found;
    podOnly ??= found;
  }
  return podOnly ?? NO_CONTAINER;
}

/** The path after the second colon (a cgroup name may itself hold colons). */
function pathOfLine(line: string): string {
  const first = line.indexOf(':');
  const second = first < 0 ? -1 : line.indexOf(':', first + 1);
  if (second < 0) return '';
  const path = line.slice(second + 1);
  return path.endsWith(DELETED_SUFFIX) ? path.slice(0, -DELETED_SUFFIX.length) : path;
}

/** The innermost container segment and the nearest pod segment above it; a pod alone if no container. */
function containerOfPath(path: string): CgroupContainer | null {
  if (!path.startsWith('/')) return null;
  let found: CgroupContainer | null = null;
  let podUid = '';
  let parent = '';
  for (const segment of path.split('/')) {
    const pod = podUidOfSegment(segment);
    if (pod) {
      podUid = pod;
      found = { id: '', runtime: '', podUid };
    } else {
      const container = containerOfSegment(segment, parent, podUid);
      if (container) found = container;
    }
    parent = segment;
  }
  return found;
}

/** `pod<uid>` (cgroupfs) or `[prefix-]kubepods[-qos]-pod<uid>.slice` (systemd); written without nested regex repeats. */
function podUidOfSegment(segment: string): string | null {
  if (segment.length > NAME_MAX) return null;
  let uid: string;
  if (segment.startsWith('pod')) {
    uid = segment.slice(3);
  } else if (segment.endsWith('.slice')) {
    const at = segment.lastIndexOf('-pod');
    if (at < 0 || !segment.slice(0, at).split('-').includes('kubepods')) return null;
    uid = segment.slice(at + 4, -'.slice'.length);
  } else {
    return null;
  }
  return POD_UID.test(uid) ? uid.replace(/_/g, '-') : null;
}

function containerOfSegment(segment: string, parent: string, podUid: string): CgroupContainer | null {
  const prefixed = PREFIXED_SEGMENT.exec(segment);
  if (prefixed) return { id: prefixed[2]!, runtime: RUNTIME_OF_PREFIX[prefixed[1]!]!, podUid };
  if (!BARE_ID_SEGMENT.test(segment)) return null;
  // A bare id is a container only where a runtime's cgroupfs layout puts one.
  if (parent === 'docker') return { id: segment, runtime: 'docker', podUid };
  if (podUid && podUidOfSegment(parent)) return { id: segment, runtime: 'cri', podUid };
  return null;
}
