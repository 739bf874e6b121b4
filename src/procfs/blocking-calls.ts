/**
 * Calls through /proc that reach another filesystem and may never return: stat(2) through
 * /proc/PID/fd/N (or exe, cwd) asks the filesystem of the open file, and a hung FUSE or NFS server
 * never answers (readlink and the /proc files themselves do not leave procfs). Proc runs each such
 * call through BlockingCalls, so the scan worker can say which target it is stuck on (the main thread
 * abandons the scan and replaces the worker) and skip the targets known to hang.
 */

/** The open file a blocking call reaches: descriptor `fd` of process `pid` (thread `tid`), or its exe/cwd. */
export interface HungTarget {
  pid: number;
  tid: number | null;
  /** A descriptor, or EXE_TARGET / CWD_TARGET. */
  fd: number;
}

export const EXE_TARGET = -1;
export const CWD_TARGET = -2;
/** A path looked up under /proc/PID/root (the directories above its executable). */
export const ROOT_TARGET = -3;

export interface BlockingCalls {
  /** Runs `call` on `target`, or throws HungTargetSkipped when the target is known to hang. */
  around<T>(target: HungTarget, call: () => T): T;
}

/** The target hung an earlier scan: not asked again (counted in lsof_scan_hung_targets). */
export class HungTargetSkipped extends Error {
  constructor(readonly target: HungTarget) {
    super(`skipped ${describeTarget(target)}: it hung an earlier scan`);
  }
}

export const UNGUARDED: BlockingCalls = { around: (_target, call) => call() };

export function describeTarget(t: HungTarget): string {
  const what = t.fd === EXE_TARGET ? 'exe' : t.fd === CWD_TARGET ? 'cwd' : t.fd === ROOT_TARGET ? 'root' : `fd/${t.fd}`;
  return t.tid === null ? `/proc/${t.pid}/${what}` : `/proc/${t.pid}/task/${t.tid}/${what}`;
}

export function targetKey(t: HungTarget): string {
  return `${t.pid}/${t.tid ?? ''}/${t.fd}`;
}
