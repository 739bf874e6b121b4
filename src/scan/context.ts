/**
 * The immutable result of one scan: facts, no aggregation. Signals (src/signals) derive their samples
 * from it; nothing else of it leaves the scan worker (the main thread receives samples and stats).
 */
import type { FdType } from '../procfs/fd-target.js';
import type { IpFamily, IpProtocol } from '../procfs/net-ip-socket.js';
import type { ProcfsVisibility } from './procfs-mounts.js';
import type { OpenPathIndex } from './open-path-index.js';
import type { ScanStats } from './scan-stats.js';

export interface ProcessRecord {
  readonly pid: number;
  readonly startTime: number;
  readonly uid: number;
  /** Effective uid: the identity whose privileges the process uses (what lsof's USER column shows). */
  readonly euid: number;
  readonly user: string;
  readonly comm: string;
  /** Executable path as /proc/PID/exe names it, without the " (deleted)" suffix; "" if unreadable. */
  readonly exe: string;
  /** Confirmed by stat: the executable's link count is 0. */
  readonly exeDeleted: boolean;
  /** Working directory as /proc/PID/cwd names it; "" if unreadable or not read (exe_placement phase off). */
  readonly cwd: string;
  /** Where the executable lives (exe-placement.ts); null when that phase did not run. */
  readonly exePlacement: ExePlacement | null;
  /** Number of open descriptors; null when the fd folder could not be read. */
  readonly fdCount: number | null;
  readonly fdTypes: Readonly<Record<FdType, number>>;
  /** Soft RLIMIT_NOFILE; null when unlimited or unreadable. */
  readonly fdLimit: number | null;
  /**
   * Network namespace inode; "?N" when no process of that namespace let us read its ns link (N is the
   * inode of its net/tcp, see hidden-netns.ts); "" when not even its socket tables could be found.
   */
  readonly netns: string;
  readonly container: ContainerInfo;
}

/** Facts about an executable's place in its process's tree; null in a field: unknown. */
export interface ExePlacement {
  /** The outermost directory above the executable with mode o+w; "" when none is. */
  readonly worldWritableDir: string | null;
  /**
   * A program named like the process (comm) exists in /usr/bin, /usr/sbin, /bin or /sbin; null also
   * when not asked (an executable under the system directories, a memfd, a name that is no file name).
   */
  readonly systemProgramNamed: boolean | null;
}

export interface ContainerInfo {
  readonly id: string;
  readonly runtime: string;
  readonly podUid: string;
}

export interface ListenerRecord {
  readonly protocol: IpProtocol;
  /** Address family. */
  readonly family: IpFamily;
  readonly address: string;
  readonly port: number;
  readonly inode: number;
  readonly netns: string;
  /** The uid the kernel records for the socket (its creator). */
  readonly socketUid: number;
  /** Pids of the processes holding a descriptor on it (empty: no visible holder). */
  readonly holders: readonly number[];
}

/**
 * A listener kept on /metrics for the hold time (--scan.listener-hold-time) after its last sighting,
 * or seen by a poll before any full scan, with its holders as they were then: a backdoor that
 * listens for one second is still scraped and alerted on.
 */
export interface HeldListener {
  readonly listener: ListenerRecord;
  readonly holders: readonly ProcessRecord[];
}

/** TCP connections of one process with the same state, direction and port. */
export interface ConnectionRecord {
  readonly pid: number;
  /** Kernel TCP state number (1 ESTABLISHED ... 8 CLOSE_WAIT ...). */
  readonly state: number;
  readonly direction: 'inbound' | 'outbound';
  /** Inbound: the local (listening) port; outbound: the remote port. */
  readonly port: number;
  count: number;
}

export interface DeletedFileRecord {
  readonly device: string;
  readonly inode: string;
  /** Apparent size (st_size): what `ls -l` says; a sparse file's can be anything. */
  readonly size: number;
  /** Bytes allocated on disk (st_blocks x 512): what deleting it would free. */
  readonly allocatedBytes: number;
  readonly path: string;
  readonly holders: readonly { readonly pid: number; readonly fd: number }[];
}

/** A memfd (memfd_create(2)) held open: anonymous memory, no file on a disk (scan/memfds.ts). */
export interface MemfdRecord {
  readonly inode: string;
  /** Apparent size (st_size): what ftruncate set; a sparse memfd's can be anything. */
  readonly size: number;
  /** Memory allocated to it (st_blocks x 512): what it pins while open. */
  readonly allocatedBytes: number;
  /** Pids of the processes holding it, one each. */
  readonly holders: readonly number[];
}

/** One process's descriptors under one watched path (--watch.path), over all its tables. */
export interface WatchedPathRecord {
  readonly pid: number;
  /** The watched path as configured (not the file opened below it). */
  readonly path: string;
  readonly descriptors: number;
}

export interface ScanContext {
  readonly processes: readonly ProcessRecord[];
  readonly listeners: readonly ListenerRecord[];
  /** Listeners not open in this scan (or not scanned yet) but within their hold time; none in a bare scan. */
  readonly heldListeners: readonly HeldListener[];
  readonly connections: readonly ConnectionRecord[];
  /** Null when the deleted-files phase did not run (no enabled signal needs it) or failed. */
  readonly deletedFiles: readonly DeletedFileRecord[] | null;
  /** Null when the memfds phase did not run (no enabled signal needs it) or failed; absent in a bare context. */
  readonly memfds?: readonly MemfdRecord[] | null;
  /** Mounts that hide processes from this scan (over /proc/<pid>, hidepid). */
  readonly procfsVisibility: ProcfsVisibility;
  /** The network namespace of the host: listeners in it are reported with netns="". */
  readonly hostNetns: string;
  readonly stats: ScanStats;
  /** Holders of the watched paths (scan/watched-paths.ts); absent when no path is watched. */
  readonly watchedPaths?: readonly WatchedPathRecord[];
  /** The open-path index of every table, when the reader builds it (open-path-index.ts). */
  readonly openPathIndex?: OpenPathIndex;
}
