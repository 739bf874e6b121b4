/**
 * The descriptors phase for one process: its fd table from the cache while the cache policy trusts
 * it (process-cache.ts), read otherwise. A table read is checked against a reused pid (stat read
 * again after the table), and a table we may not read makes the process uninspectable, counted.
 */
import type { FdTable } from '../procfs/fd-table.js';
import type { Proc } from '../procfs/proc.js';
import { classifyReadError } from '../procfs/reader.js';
import { boundDeletedCandidates } from './deleted-candidates.js';
import type { CacheEntry, ProcessCache } from './process-cache.js';
import { readStat, SkipProcess, type DraftProcess } from './process-reader.js';
import type { ScanStatsBuilder } from './scan-stats.js';
import { readDivergentTasks, type DivergentTask } from './tasks.js';

/** A process that survived the processes phase, with what the later phases need. */
export interface LiveProcess {
  /** The process's folder, or a live thread's when the leader is a zombie (tasks.ts). */
  proc: Proc<number>;
  /** Threads (status), null when unknown: only a multi-threaded process has threads to look at. */
  threads?: number | null;
  /** Threads whose descriptor table or network namespace differs from `proc`'s (tasks.ts). */
  tasks?: DivergentTask[];
  record: DraftProcess;
  cache: CacheEntry;
  fdTable?: FdTable;
  /** The table came from the cache (not read this scan). */
  fromCache?: boolean;
}

/**
 * Fill `p.fdTable` (and the record's count) from the cache or a fresh read.
 * @param bypassCache read even when the cached table is trusted (a holder search re-reads).
 * @throws SkipProcess when the process exited or its pid was reused meanwhile.
 */
export function readProcessFds(p: LiveProcess, cache: ProcessCache, stats: ScanStatsBuilder, nowMs: number, bypassCache = false): void {
  const count = p.proc.fdCount();
  const program = programOf(p);
  const cached = bypassCache ? undefined : cache.freshFdTable(p.cache, count, program, nowMs);
  p.fromCache = cached !== undefined;
  if (cached) {
    stats.s.cacheHits++;
    setTable(p, cached);
    return;
  }
  const table = readFreshTable(p, stats);
  if (!table) return;
  stats.s.cacheMisses++;
  stats.s.fdLinksRead += table.count;
  stats.error('fd_link', table.nonSocket.unreadable);
  cache.storeFdTable(p.cache, table, program, nowMs);
  setTable(p, table);
}

/** What an exec changes: the executable and the process name (read every scan, before the tables). */
function programOf(p: LiveProcess): string {
  return `${p.record.exe}\0${p.record.comm}`;
}

function setTable(p: LiveProcess, table: FdTable): void {
  p.fdTable = table;
  p.record.fdCount = table.count;
}

/** The table as read now, or undefined when we may not read it (counted); throws SkipProcess. */
function readFreshTable(p: LiveProcess, stats: ScanStatsBuilder): FdTable | undefined {
  let table: FdTable;
  try {
    table = p.proc.fdTable();
  } catch (err) {
    const failure = classifyReadError(err);
    if (failure === 'gone') throw new SkipProcess('exited');
    if (failure === 'denied') stats.s.uninspectable++;
    else stats.error('fd_read');
    return undefined;
  }
  if (readStat(p.proc.leader()).startTime !== p.record.startTime) throw new SkipProcess('pid_reused');
  boundDeletedCandidates(table);
  return table;
}

/**
 * Every process's table, and its threads' where they differ (tasks.ts); a process that exited or was
 * replaced meanwhile leaves `live`, counted.
 */
export function readAllDescriptors(live: LiveProcess[], cache: ProcessCache, stats: ScanStatsBuilder, nowMs: number, threadWalk = true): void {
  for (let i = 0; i < live.length; i++) {
    try {
      readProcessFds(live[i]!, cache, stats, nowMs);
      if (threadWalk) readDivergentTasks(live[i]!, stats);
    } catch (err) {
      if (!(err instanceof SkipProcess)) throw err;
      stats.skip(err.reason);
      live.splice(i--, 1);
    }
  }
}
