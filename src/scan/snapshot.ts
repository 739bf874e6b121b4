/**
 * The immutable result of one scan: facts, no aggregation. It crosses the worker boundary by
 * structured clone, so it holds plain data only (no Maps, no classes).
 */
import type { FdType } from '../procfs/fd-target.js';
import type { IpFamily, IpProtocol } from '../procfs/net-ip-socket.js';

export interface ProcessRecord {
  pid: number;
  startTime: number;
  ppid: number;
  uid: number;
  /** Effective uid: the identity whose privileges the process uses (what lsof's USER column shows). */
  euid: number;
  user: string;
  comm: string;
  /** Executable path as /proc/PID/exe names it, without the " (deleted)" suffix; "" if unreadable. */
  exe: string;
  /** Confirmed by stat: the executable's link count is 0. */
  exeDeleted: boolean;
  /** Number of open descriptors; null when the fd folder could not be read. */
  fdCount: number | null;
  fdTypes: Record<FdType, number>;
  /** Soft RLIMIT_NOFILE; null when unlimited or unreadable. */
  fdLimit: number | null;
  /**
   * Network namespace inode; "?N" when no process of that namespace let us read its ns link (N is the
   * inode of its net/tcp, see hidden-netns.ts); "" when not even its socket tables could be found.
   */
  netns: string;
  /** False when we lacked the privilege to read its descriptors. */
  inspectable: boolean;
  container: ContainerInfo;
}

export interface ContainerInfo {
  id: string;
  runtime: string;
  podUid: string;
}

export interface ListenerRecord {
  protocol: IpProtocol;
  family: IpFamily;
  address: string;
  port: number;
  inode: number;
  netns: string;
  /** The uid the kernel records for the socket (its creator). */
  socketUid: number;
  /** Pids of the processes holding a descriptor on it (empty: no visible holder). */
  holders: number[];
}

export interface DeletedFileRecord {
  device: string;
  inode: string;
  size: number;
  /** Bytes the file still occupies on disk (st_blocks x 512): less than size when sparse. */
  allocatedBytes?: number;
  path: string;
  holders: { pid: number; fd: number }[];
}

export const SKIP_REASONS = ['exited', 'zombie', 'kernel_thread', 'pid_reused', 'unparsable'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const SCAN_PHASES = ['processes', 'descriptors', 'sockets', 'unix_sockets', 'deleted_files'] as const;
export type ScanPhase = (typeof SCAN_PHASES)[number];

export interface ScanStats {
  startedAtMs: number;
  durationSeconds: number;
  phaseSeconds: Record<ScanPhase, number>;
  /** Wall time spent reading and parsing each network namespace's socket tables (by netns inode). */
  socketTableSeconds: Record<string, number>;
  processesSeen: number;
  processesScanned: number;
  fdsScanned: number;
  /** Descriptors whose link we actually read this scan (the rest came from the cache). */
  fdLinksRead: number;
  cacheHits: number;
  cacheMisses: number;
  skipped: Record<SkipReason, number>;
  /** Processes whose descriptors we could not read for lack of privilege. */
  uninspectable: number;
  /** Non-fatal read or parse errors by where they happened. */
  errors: Record<string, number>;
  netnsCount: number;
  /** Descriptors were read by the native addon (src/procfs/native.ts), not the TypeScript loop. */
  nativeFastPath: boolean;
}

export interface Snapshot {
  processes: ProcessRecord[];
  listeners: ListenerRecord[];
  deletedFiles: DeletedFileRecord[];
  stats: ScanStats;
}
