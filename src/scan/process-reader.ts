/**
 * One process's record from its stat, status, exe, limits, ns and cgroup files. A process that
 * exited, is a zombie or a kernel thread, or whose stat is hostile is skipped by reason (SkipProcess);
 * a file we may not read (exe, ns link without ptrace access) is "unknown", not a reason to skip.
 */
import { emptyFdTypeCounts, type FdType } from '../procfs/fd-target.js';
import { decodeProcBytes } from '../procfs/proc-text.js';
import type { Proc } from '../procfs/proc.js';
import { classifyReadError } from '../procfs/reader.js';
import { isKernelThread, parseProcStat, type ProcStat } from '../procfs/stat.js';
import { NO_CONTAINER, readContainerInfo } from './container-info.js';
import type { ContainerInfo, ExePlacement, ProcessRecord } from './context.js';
import type { CacheEntry, ProcessCache } from './process-cache.js';
import type { SkipReason } from './scan-stats.js';
import { liveThreadOf } from './tasks.js';
import type { UserNames } from './user-names.js';

export class SkipProcess extends Error {
  constructor(readonly reason: SkipReason) {
    super(reason);
  }
}

export function skipReasonOf(err: unknown): SkipReason {
  if (err instanceof SkipProcess) return err.reason;
  return classifyReadError(err) === 'gone' ? 'exited' : 'unparsable';
}

/** A record still being filled by the later phases (descriptors, sockets); frozen into the context. */
export interface DraftProcess extends Omit<ProcessRecord, 'fdCount' | 'fdTypes' | 'netns' | 'cwd' | 'exePlacement'> {
  cwd: string;
  exePlacement: ExePlacement | null;
  fdCount: number | null;
  fdTypes: Record<FdType, number>;
  netns: string;
}

export interface ProcessReaderDeps {
  cache: ProcessCache;
  users: UserNames;
  containers: boolean;
}

/** stat, or the reason to skip: gone is "exited", anything else "unparsable". */
export function readStat(proc: Proc): ProcStat {
  let text: string;
  try {
    text = proc.statText();
  } catch (err) {
    throw new SkipProcess(classifyReadError(err) === 'gone' ? 'exited' : 'unparsable');
  }
  try {
    return parseProcStat(text);
  } catch {
    throw new SkipProcess('unparsable');
  }
}

export interface ReadProcess {
  /** `leader`, or a live thread of it when the leader is a zombie (its fd, ns and exe are gone). */
  proc: Proc<number>;
  record: DraftProcess;
  cache: CacheEntry;
  threads: number | null;
}

/** @param leader the handle of a listed pid (its pid, not stat's, names the record). */
export function readProcess(leader: Proc<number>, deps: ProcessReaderDeps, scanNo: number, nowMs: number): ReadProcess {
  const stat = readStat(leader);
  if (isKernelThread(stat)) throw new SkipProcess('kernel_thread');
  const status = leader.status();
  const proc = stat.state === 'Z' || stat.state === 'X' ? liveThreadOrSkip(leader, status.threads) : leader;
  const cache = deps.cache.entry(leader.pid, stat.startTime, scanNo);
  const exe = proc.exe();
  const record: DraftProcess = {
    pid: proc.pid,
    startTime: stat.startTime,
    uid: status.realUid,
    euid: status.effectiveUid,
    user: deps.users.name(status.effectiveUid),
    comm: decodeProcBytes(Buffer.from(stat.comm, 'latin1')),
    exe: exe?.path ?? '',
    exeDeleted: exe?.deleted ?? false,
    cwd: '',
    exePlacement: null,
    fdCount: null,
    fdTypes: emptyFdTypeCounts(),
    fdLimit: readLimit(proc, deps.cache, cache, nowMs),
    netns: proc.netns() ?? '',
    container: deps.containers ? readContainer(proc) : NO_CONTAINER,
  };
  return { proc, record, cache, threads: status.threads };
}

/**
 * A zombie leader whose other threads run (pthread_exit in main) is a live process: read it through
 * one of those threads. Only a leader with no live thread is a zombie.
 */
function liveThreadOrSkip(leader: Proc<number>, threads: number | null): Proc<number> {
  const live = threads !== null && threads > 1 ? liveThreadOf(leader) : null;
  if (!live) throw new SkipProcess('zombie');
  return live;
}

/** The open-files limit, from the cache while it is fresh (prlimit(1) can change it). */
function readLimit(proc: Proc, cache: ProcessCache, entry: CacheEntry, nowMs: number): number | null {
  const cached = cache.cachedLimit(entry, nowMs);
  if (cached !== undefined) return cached;
  let limit: number | null;
  try {
    limit = proc.openFilesLimit();
  } catch {
    limit = null;
  }
  cache.storeLimit(entry, limit, nowMs);
  return limit;
}

function readContainer(proc: Proc): ContainerInfo {
  try {
    return readContainerInfo(proc.cgroup());
  } catch {
    return NO_CONTAINER;
  }
}
