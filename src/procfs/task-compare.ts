/**
 * The thread walk's comparison of one process (scan/tasks.ts, issue 14 item 3): which of its threads
 * show another descriptor count or network namespace than the process, as their /proc/PID/task/TID/
 * folders say (a stat of fd, whose size is the descriptor count on Linux >= 6.2, and a readlink of
 * ns/net). Two loops give the same answer: the native one (procfs_fast.c compareTasks: the two
 * syscalls per thread in C) and the TypeScript one (two Node calls per thread, several times the
 * CPU), chosen once with the descriptor-table reader. A thread that exited or may not be read is
 * unknown, so not different: it costs itself only.
 */
import { loadNative, type NativeProcfs } from './native.js';
import type { Proc } from './proc.js';

/** What the threads are compared with: the process's own descriptor count and namespace. */
export interface TaskBaseline {
  fdCount: number;
  /** Its network namespace inode ("" or null when unknown: then any known namespace differs). */
  netns: string | null;
}

/** A thread whose folder shows another descriptor count or namespace than its process's. */
export interface TaskFacts {
  tid: number;
  /** Its descriptor count; null when unknown (exited, refused, a kernel before 6.2). */
  fdCount: number | null;
  /** Its network namespace inode; null when unknown. */
  netns: string | null;
}

export interface TaskComparison {
  /** Every thread of the process, ascending. */
  tids: number[];
  /** The threads compared (those not skipped) that differ from the baseline, ascending. */
  differing: TaskFacts[];
  /** How many threads were compared: a stat and a readlink each. */
  compared: number;
}

export interface TaskComparer {
  /** True when the native loop compares (it falls back to the TypeScript one over its bounds). */
  readonly native: boolean;
  /**
   * @param leader the process (its thread-group leader), whose threads the TypeScript loop reads.
   * @param taskDir its /proc/PID/task folder, which the native loop reads.
   * @param skip threads not compared (compared before, or standing in for the process).
   * Throws the task folder's own error (the process is gone).
   */
  compare(leader: Proc, taskDir: string, baseline: TaskBaseline, skip: ReadonlySet<number>): TaskComparison;
}

/** The thread's namespace when it is known and not the process's, else null. */
export function otherNetns(t: TaskFacts, baseline: TaskBaseline): string | null {
  return t.netns !== null && t.netns !== baseline.netns ? t.netns : null;
}

/** The thread's descriptor count is known and not the process's: it has a table of its own. */
export function otherFdCount(t: TaskFacts, baseline: TaskBaseline): boolean {
  return t.fdCount !== null && t.fdCount !== baseline.fdCount;
}

export function createTaskComparer(native: boolean): TaskComparer {
  const addon = native ? loadNative().native : undefined;
  return {
    native: addon !== undefined,
    compare: (leader, taskDir, baseline, skip) => {
      const found = (addon && nativeCompare(addon, taskDir, baseline, skip)) ?? typescriptCompare(leader, baseline, skip);
      return { ...found, compared: found.tids.reduce((n, tid) => (skip.has(tid) ? n : n + 1), 0) };
    },
  };
}

type Found = Omit<TaskComparison, 'compared'>;

/** Null over the C loop's bounds (more than 65,536 threads): the TypeScript loop then compares. */
function nativeCompare(addon: NativeProcfs, taskDir: string, baseline: TaskBaseline, skip: ReadonlySet<number>): Found | null {
  const raw = addon.compareTasks(taskDir, baseline.fdCount, baseline.netns, Int32Array.from(skip).sort());
  if (!raw) return null;
  const [tids, [diffTids, counts, netns]] = raw;
  const differing = [...diffTids].map((tid, i) => ({ tid, fdCount: counts[i]! >= 0 ? counts[i]! : null, netns: netns[i] ?? null }));
  return { tids: [...tids], differing };
}

function typescriptCompare(leader: Proc, baseline: TaskBaseline, skip: ReadonlySet<number>): Found {
  const tids = leader.taskIds();
  const differing: TaskFacts[] = [];
  for (const tid of tids) {
    if (skip.has(tid)) continue;
    const task = leader.task(tid);
    const facts = { tid, netns: task.netns(), fdCount: task.fdCount() };
    if (otherNetns(facts, baseline) !== null || otherFdCount(facts, baseline)) differing.push(facts);
  }
  return { tids, differing };
}
