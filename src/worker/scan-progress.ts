/**
 * What the scan worker is doing, in memory shared with the main thread (a SharedArrayBuffer): since
 * when it has been busy (a full scan or a poll) and which blocking call (blocking-calls.ts) it is in.
 * A worker stuck in a call that never returns cannot post a message, but the main thread can still
 * read this: it abandons the scan at the deadline, replaces the worker, and hands the new one the
 * target to skip. The worker side is also the BlockingCalls that skips the targets known to hang.
 */
import { HungTargetSkipped, targetKey, type BlockingCalls, type HungTarget } from '../procfs/blocking-calls.js';

/** Int32 slots: whether a blocking call is in progress, and its target. */
const IN_CALL = 0;
const PID = 1;
const TID = 2;
const FD = 3;
const INT_SLOTS = 4;
const NO_TID = -1;

export class ScanProgress {
  private readonly ints: Int32Array;
  /** Wall-clock ms since the worker became busy; 0 when idle. */
  private readonly busySince: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8 + 4 * INT_SLOTS)) {
    this.busySince = new BigInt64Array(buffer, 0, 1);
    this.ints = new Int32Array(buffer, 8, INT_SLOTS);
  }

  /** Worker: a scan or a poll starts (`Date.now()`) or ends (null). */
  setBusy(sinceMs: number | null): void {
    Atomics.store(this.busySince, 0, BigInt(sinceMs ?? 0));
  }

  /** Main thread: since when the worker has been busy, or null when idle. */
  busySinceMs(): number | null {
    const v = Number(Atomics.load(this.busySince, 0));
    return v === 0 ? null : v;
  }

  enter(t: HungTarget): void {
    Atomics.store(this.ints, PID, t.pid);
    Atomics.store(this.ints, TID, t.tid ?? NO_TID);
    Atomics.store(this.ints, FD, t.fd);
    Atomics.store(this.ints, IN_CALL, 1);
  }

  leave(): void {
    Atomics.store(this.ints, IN_CALL, 0);
  }

  /** Main thread: the target of the blocking call in progress, or null when the worker is in none. */
  currentCall(): HungTarget | null {
    if (Atomics.load(this.ints, IN_CALL) !== 1) return null;
    const tid = Atomics.load(this.ints, TID);
    return { pid: Atomics.load(this.ints, PID), tid: tid === NO_TID ? null : tid, fd: Atomics.load(this.ints, FD) };
  }
}

/** The worker's BlockingCalls: publishes each call's target and refuses the targets known to hang. */
export class Tripwire implements BlockingCalls {
  private readonly skip: Map<string, HungTarget>;

  constructor(private readonly progress: ScanProgress, hung: readonly HungTarget[]) {
    this.skip = new Map(hung.map((t) => [targetKey(t), t]));
  }

  around<T>(target: HungTarget, call: () => T): T {
    if (this.skip.has(targetKey(target))) throw new HungTargetSkipped(target);
    this.progress.enter(target);
    try {
      return call();
    } finally {
      this.progress.leave();
    }
  }

  /** Forget the targets of processes that are gone (their pid may be reused by an innocent one). */
  prune(livePids: ReadonlySet<number>): void {
    for (const [key, t] of this.skip) if (!livePids.has(t.pid)) this.skip.delete(key);
  }

  hungTargets(): HungTarget[] {
    return [...this.skip.values()];
  }
}
