/**
 * Threads that see other things than their process's /proc/PID/ folder shows (issue 14, item 3):
 *  - a thread with a descriptor table of its own (clone without CLONE_FILES, unshare(CLONE_FILES))
 *    holds descriptors /proc/PID/fd does not list;
 *  - a thread in another network namespace (unshare/setns(CLONE_NEWNET)) creates sockets in tables
 *    no process of that namespace leads to;
 *  - a leader that called pthread_exit is a zombie ('Z') with an empty fd folder and no ns link while
 *    its other threads run: a live process, read through one of those threads.
 * Each is found through /proc/PID/task/TID/. The cost stays near zero for ordinary processes: nothing
 * is read for a single-threaded one (status's Threads: 1), and for a multi-threaded one, when its table
 * is read (not from the cache), the list of its threads, and for each thread not compared before a
 * stat of its fd folder (its size is the descriptor count on Linux >= 6.2) and a readlink of its
 * ns/net, compared with the process's (in C on the native path: procfs/task-compare.ts); a thread's table is read only where the count or the
 * namespace differs. Threads compared before are compared again once every FULL_WALK_EVERY_SCANS
 * scans of the process (a busy server whose descriptor count moves every scan would otherwise pay
 * two calls per thread every scan): a thread that unshares later is found within that many scans, as
 * a quiet process's is when its cached table expires, or at once by the holder search below when
 * its listener has no holder. Between full walks the threads are not even listed while their number
 * (status's Threads:) stays what the last listing found: a new thread is compared at once, one
 * swapped for an exited one at the next full walk.
 * A private table with the same count as the process's (close one, listen on another) passes that
 * check: the holder search reads the threads' tables when a listener still has no holder
 * (findHiddenTaskHolders), and the cache remembers the thread from then on.
 */
import type { FdTable } from '../procfs/fd-table.js';
import type { Proc } from '../procfs/proc.js';
import { otherFdCount, otherNetns, type TaskBaseline, type TaskComparison } from '../procfs/task-compare.js';
import { classifyReadError } from '../procfs/reader.js';
import type { ListenerRecord } from './context.js';
import { boundDeletedCandidates } from './deleted-candidates.js';
import { HIDDEN_NETNS_PREFIX } from './hidden-netns.js';
import type { LiveProcess } from './descriptors.js';
import type { ScanStatsBuilder } from './scan-stats.js';

/** What the last comparison found of one thread (kept in the cache entry with the table). */
export interface TaskDifference {
  tid: number;
  netns: string | null;
  ownTable: boolean;
}

/** A thread whose table or namespace is not its process's. */
export interface DivergentTask {
  proc: Proc<number>;
  /** Its network namespace when it differs from the process's; null when the same or unknown. */
  netns: string | null;
  /** Its own descriptor table, when it has one. */
  table?: FdTable;
}

const DEAD_STATES = new Set(['Z', 'X']);

/** Scans of a process between two comparisons of all its threads (20: 5 minutes at the default 15 s). */
export const FULL_WALK_EVERY_SCANS = 20;

/** A thread of a zombie leader that still runs (the process is alive), or null for a real zombie. */
export function liveThreadOf(leader: Proc<number>): Proc<number> | null {
  let tids: number[];
  try {
    tids = leader.taskIds();
  } catch {
    return null;
  }
  for (const tid of tids) {
    if (tid === leader.pid) continue;
    const task = leader.task(tid);
    try {
      if (!DEAD_STATES.has(task.stat().state)) return task;
    } catch {
      // exited meanwhile: try the next thread
    }
  }
  return null;
}

/**
 * Fill `p.tasks` with the threads whose table or namespace differs from the process's (`p.proc`,
 * the leader or the live thread standing in for a zombie leader). The threads are compared only when
 * the process's table was read this scan (its count moved, or the cache let it expire); a table from
 * the cache reuses the last comparison (kept in the cache entry), re-reading only the private tables
 * it found. A thread that shares the table and listens changes the count, so its process is re-read.
 */
export function readDivergentTasks(p: LiveProcess, stats: ScanStatsBuilder): void {
  p.tasks = [];
  if ((p.threads ?? 1) <= 1 || !p.fdTable) return;
  const found = p.fromCache && p.cache.taskCheck ? p.cache.taskCheck : compareTasks(p, stats);
  p.cache.taskCheck = found;
  for (const t of found) {
    const task = p.proc.task(t.tid);
    const d: DivergentTask = { proc: task, netns: t.netns };
    if (t.ownTable) d.table = readTaskTable(task, stats);
    p.tasks.push(d);
  }
}

/**
 * One stat and one readlink per thread not compared in this process before (every thread when a full
 * walk is due), in C when the native addon is loaded (task-compare.ts): which threads differ from
 * `p.proc`, and how. The earlier findings of threads still alive are kept until the next full walk.
 */
function compareTasks(p: LiveProcess, stats: ScanStatsBuilder): TaskDifference[] {
  const e = p.cache;
  const full = e.fullTaskWalkScan === undefined || e.seenInScan - e.fullTaskWalkScan >= FULL_WALK_EVERY_SCANS;
  // As many threads (status) as the last listing found: no new one to compare, so not even the
  // listing is made (a readdir each scan was most of what a busy process's walk cost). A thread
  // swapped for another between two scans waits for the next full walk, as one that unshares later does.
  if (!full && e.taskCheck && e.comparedTids?.length === p.threads) return e.taskCheck;
  const skip = new Set(full ? [] : e.comparedTids);
  skip.add(p.proc.pid);
  if (p.proc.tid !== null) skip.add(p.proc.tid);
  const baseline: TaskBaseline = { fdCount: p.fdTable!.count, netns: p.record.netns };
  let c: TaskComparison;
  try {
    c = p.proc.compareTasks(baseline, skip);
  } catch {
    return []; // exited: its leader's table stands
  }
  stats.s.tasksCompared += c.compared;
  const alive = new Set(c.tids);
  const found = full ? [] : (e.taskCheck ?? []).filter((t) => alive.has(t.tid));
  if (full) e.fullTaskWalkScan = e.seenInScan;
  e.comparedTids = c.tids;
  const remembered = new Set(e.privateTableTids ?? []);
  const facts = new Map(c.differing.map((t) => [t.tid, t]));
  const namedByLink = !baseline.netns?.startsWith(HIDDEN_NETNS_PREFIX);
  for (const tid of c.tids) {
    if (skip.has(tid)) continue;
    const t = facts.get(tid);
    // A process whose ns link could not be read is named by its socket tables ("?<inode>"): a
    // thread's link names its namespace another way, so the two cannot be compared (the same
    // namespace would count twice, its tables read twice). Its threads' tables are still compared.
    const netns = t && namedByLink ? otherNetns(t, baseline) : null;
    const ownTable = remembered.has(tid) || (t !== undefined && otherFdCount(t, baseline));
    if (netns || ownTable) found.push({ tid, netns, ownTable });
  }
  return found;
}

/** A thread's table; undefined when it exited (gone) or may not be read (counted). */
function readTaskTable(task: Proc<number>, stats: ScanStatsBuilder): FdTable | undefined {
  try {
    const table = task.fdTable();
    stats.s.fdLinksRead += table.count;
    boundDeletedCandidates(table);
    return table;
  } catch (err) {
    const failure = classifyReadError(err);
    if (failure === 'denied') stats.s.uninspectable++;
    else if (failure !== 'gone') stats.error('fd_read');
    return undefined;
  }
}

/**
 * The holder search's last step: the tables of every thread of the multi-threaded processes that run
 * as an orphan's uid in its namespace, for a private table whose count matched its process's. A thread found holding
 * an orphan is remembered in the cache, so later scans read its table without searching.
 * @returns whether a table was added.
 */
export function findHiddenTaskHolders(live: readonly LiveProcess[], orphans: readonly ListenerRecord[], stats: ScanStatsBuilder): boolean {
  const wanted = new Set(orphans.map((o) => o.inode));
  let found = false;
  for (const p of live) {
    if ((p.threads ?? 1) <= 1 || !orphans.some((o) => couldHold(p, o))) continue;
    for (const task of unreadTasks(p)) {
      const table = readTaskTable(task, stats);
      if (!table || !table.socketInodes.some((inode) => wanted.has(inode))) continue;
      (p.tasks ??= []).push({ proc: task, netns: null, table });
      (p.cache.privateTableTids ??= []).push(task.tid!);
      (p.cache.taskCheck ??= []).push({ tid: task.tid!, netns: null, ownTable: true });
      found = true;
    }
  }
  return found;
}

/** The process runs as the socket's uid, in its namespace or with a thread in it. */
function couldHold(p: LiveProcess, o: ListenerRecord): boolean {
  if (o.socketUid !== p.record.euid && o.socketUid !== p.record.uid) return false;
  return o.netns === p.record.netns || (p.tasks ?? []).some((t) => t.netns === o.netns);
}

function unreadTasks(p: LiveProcess): Proc<number>[] {
  let tids: number[];
  try {
    tids = p.proc.leader().taskIds();
  } catch {
    return [];
  }
  const read = new Set((p.tasks ?? []).filter((t) => t.table).map((t) => t.proc.tid));
  return tids.filter((tid) => tid !== p.proc.pid && tid !== p.proc.tid && !read.has(tid)).map((tid) => p.proc.task(tid));
}

/** The process's own table and those of its threads with a table of their own. */
export function tablesOf(p: LiveProcess): FdTable[] {
  const tables: FdTable[] = p.fdTable ? [p.fdTable] : [];
  for (const t of p.tasks ?? []) if (t.table) tables.push(t.table);
  return tables;
}

/** Every table of the process with the handle its descriptors are reached through (a stat of fd N). */
export function descriptorTables(p: LiveProcess): { pid: number; proc: Proc<number>; table?: FdTable }[] {
  const own = { pid: p.record.pid, proc: p.proc, table: p.fdTable };
  return [own, ...(p.tasks ?? []).filter((t) => t.table).map((t) => ({ pid: p.record.pid, proc: t.proc, table: t.table }))];
}
