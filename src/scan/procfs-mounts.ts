/**
 * What may hide processes from this scan, seen in the mount tables: a mount over /proc/<pid> (a bind
 * mount of an empty folder hides that process from ps, lsof and the exporter alike, while its sockets
 * stay in the tables), and a procfs mounted with hidepid (an unprivileged reader sees only its own
 * processes, and the hidden pids are not even listed). Read from the mount namespace of the procfs's
 * PID 1 (the host's, with --path.procfs=/host/proc) and from the exporter's own.
 */
import path from 'node:path';
import type { MountInfo } from '../procfs/pid-mountinfo.js';
import type { ProcFs } from '../procfs/proc.js';

export interface ProcfsVisibility {
  /** Pids with a mount over /proc/<pid> (or below it), in either namespace. */
  readonly overmountedPids: readonly number[];
  /** hidepid of the procfs the scan reads ("off", "noaccess", "invisible", "ptraceable", or the raw number). */
  readonly hidepid: string;
}

const HIDEPID_NAMES: Record<string, string> = { '0': 'off', '1': 'noaccess', '2': 'invisible', '4': 'ptraceable' };

export function readProcfsVisibility(procfs: ProcFs): ProcfsVisibility {
  const own = mountsOf(() => procfs.self().mountInfo());
  const host = mountsOf(() => procfs.proc(1).mountInfo());
  const pids = new Set<number>();
  for (const mounts of [own, host]) {
    const root = procfsMountPoint(mounts, procfs.root) ?? '/proc';
    for (const m of mounts) {
      const pid = overmountedPid(m.mountPoint, root);
      if (pid !== null) pids.add(pid);
    }
  }
  return { overmountedPids: [...pids].sort((a, b) => a - b), hidepid: hidepidOf(own, procfs.root) };
}

function mountsOf(read: () => MountInfo[]): MountInfo[] {
  try {
    return read();
  } catch {
    return []; // no access to that namespace's table: the other one still counts
  }
}

/** The mount point of the procfs the scan reads, as that namespace names it. */
function procfsMountPoint(mounts: MountInfo[], root: string): string | undefined {
  const wanted = path.resolve(root);
  return mounts.find((m) => m.fsType === 'proc' && m.mountPoint === wanted)?.mountPoint;
}

function overmountedPid(mountPoint: string, procRoot: string): number | null {
  if (!mountPoint.startsWith(`${procRoot}/`)) return null;
  const first = mountPoint.slice(procRoot.length + 1).split('/')[0]!;
  return /^\d+$/.test(first) ? Number(first) : null;
}

function hidepidOf(own: MountInfo[], root: string): string {
  const wanted = path.resolve(root);
  const mount = own.filter((m) => m.fsType === 'proc' && m.mountPoint === wanted).at(-1);
  const option = mount?.superOptions.find((o) => o.startsWith('hidepid='))?.slice('hidepid='.length);
  return option === undefined ? 'off' : (HIDEPID_NAMES[option] ?? option);
}
