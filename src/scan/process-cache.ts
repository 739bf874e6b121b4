/**
 * Per-process memory between scans, keyed by pid and start time (a reused pid is a new process).
 * What is cached and for how long is the freshness/CPU trade documented in README "Cost":
 *  - the fd table is reused while the descriptor count is unchanged, the process runs the program it
 *    ran when the table was read (an exec closes the close-on-exec descriptors and the new program
 *    opens its own: nsenter's namespace file replaced by python's socket keeps the count), and its
 *    age is below a jittered maximum (so 100k processes do not all expire in the same scan); on
 *    average a scan re-reads interval / (0.75 x max age) of the tables besides those whose count or
 *    program changed;
 *  - the open-files limit is re-read after limitMaxAgeMs (prlimit(1) can change it), and so is the
 *    process's root (mount namespace and chroot: setns(2), chroot(2) after start), which the
 *    exe_placement phase looks executables up in (two readlinks a process, a fifth of a scan on a
 *    host of 2,000 processes, read every scan).
 */
import type { FdTable } from '../procfs/fd-table.js';
import type { TaskDifference } from './tasks.js';

export interface CacheEntry {
  startTime: number;
  fdTable?: FdTable;
  fdTableExpiresMs: number;
  /** The program (executable and name) the process ran when its table was read. */
  fdTableProgram?: string;
  fdLimit?: number | null;
  fdLimitExpiresMs: number;
  /** exe-placement.ts's key of the process's root (null: unreadable or chrooted), and its expiry. */
  rootKey?: string | null;
  rootKeyExpiresMs?: number;
  seenInScan: number;
  /** Threads found holding a listener in a table of their own (tasks.ts): read every scan. */
  privateTableTids?: number[];
  /** The threads that differed from the process when its table was last read (tasks.ts). */
  taskCheck?: TaskDifference[];
  /** The threads compared with the process so far, and the scan of the last comparison of all (tasks.ts). */
  comparedTids?: number[];
  fullTaskWalkScan?: number;
}

export interface CachePolicy {
  /** Longest a cached fd table is trusted; 0 disables the cache (every scan is cold). */
  fdMaxAgeMs: number;
  limitMaxAgeMs: number;
}

export class ProcessCache {
  private entries = new Map<number, CacheEntry>();
  private firstScanNo: number | undefined;

  constructor(private readonly policy: CachePolicy, private readonly random: () => number = Math.random) {}

  get enabled(): boolean {
    return this.policy.fdMaxAgeMs > 0;
  }

  /** The entry of this exact process, replacing one left by an earlier holder of the pid. */
  entry(pid: number, startTime: number, scanNo: number): CacheEntry {
    this.firstScanNo ??= scanNo;
    let e = this.entries.get(pid);
    if (!e || e.startTime !== startTime) {
      e = { startTime, fdTableExpiresMs: 0, fdLimitExpiresMs: 0, seenInScan: scanNo };
      this.entries.set(pid, e);
    }
    e.seenInScan = scanNo;
    return e;
  }

  /** A cached fd table still valid for a process that now has `count` descriptors and runs `program`, or undefined. */
  freshFdTable(e: CacheEntry, count: number | null, program: string, nowMs: number): FdTable | undefined {
    if (!this.enabled || !e.fdTable || count === null) return undefined;
    if (e.fdTable.count !== count || e.fdTableProgram !== program || nowMs >= e.fdTableExpiresMs) return undefined;
    return e.fdTable;
  }

  storeFdTable(e: CacheEntry, table: FdTable, program: string, nowMs: number): void {
    if (!this.enabled) return;
    e.fdTable = table;
    e.fdTableProgram = program;
    // Expire between 50% and 100% of the maximum age: spreads re-reads over scans. Tables filled by
    // the first scan expire anywhere up to the maximum, or they would all fall due together.
    const minShare = e.seenInScan === this.firstScanNo ? 0 : 0.5;
    e.fdTableExpiresMs = nowMs + this.policy.fdMaxAgeMs * (minShare + (1 - minShare) * this.random());
  }

  cachedLimit(e: CacheEntry, nowMs: number): number | null | undefined {
    return nowMs < e.fdLimitExpiresMs ? e.fdLimit : undefined;
  }

  storeLimit(e: CacheEntry, limit: number | null, nowMs: number): void {
    e.fdLimit = limit;
    e.fdLimitExpiresMs = nowMs + this.policy.limitMaxAgeMs;
  }

  cachedRootKey(e: CacheEntry, nowMs: number): string | null | undefined {
    return nowMs < (e.rootKeyExpiresMs ?? 0) ? e.rootKey : undefined;
  }

  storeRootKey(e: CacheEntry, key: string | null, nowMs: number): void {
    e.rootKey = key;
    e.rootKeyExpiresMs = nowMs + this.policy.limitMaxAgeMs;
  }

  /** Forget processes not seen in this scan, so the cache never outgrows the process table. */
  sweep(scanNo: number): void {
    for (const [pid, e] of this.entries) if (e.seenInScan !== scanNo) this.entries.delete(pid);
  }
}
