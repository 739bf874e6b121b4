/**
 * The exe_placement phase: where each process's executable and working directory are, as facts the
 * suspicious-processes signal judges (docs/metrics.md, lsof_suspicious_processes):
 *  - cwd, from /proc/PID/cwd;
 *  - the first directory above the executable that is writable by every account (mode o+w), looked
 *    up with lstat through /proc/PID/root, so a container's executable is judged in its own tree;
 *  - whether a program named like the process (comm) exists in /usr/bin, /usr/sbin, /bin or /sbin
 *    of that tree, asked only for an executable outside the system directories (path-rules.ts).
 * Lookups are cached for the scan by (mount namespace, root, path): a few dozen distinct directories
 * and names on a host of hundreds of processes. A lookup that fails for another reason than "no such
 * entry" leaves the fact unknown (null) and is counted (lsof_scan_errors_total{source="path_stat"}).
 */
import type { BigIntStats } from 'node:fs';
import { HungTargetSkipped } from '../procfs/blocking-calls.js';
import type { Proc } from '../procfs/proc.js';
import { classifyReadError } from '../procfs/reader.js';
import type { ExePlacement } from './context.js';
import type { CacheEntry, ProcessCache } from './process-cache.js';
import type { DraftProcess } from './process-reader.js';
import { ancestorDirs, isMemfdPath, isPlainName, isSystemPath, SYSTEM_BIN_DIRS } from './path-rules.js';

const S_IWOTH = 0o002n;

/** An lstat answer: the entry's mode, "absent" (ENOENT, ENOTDIR), or "error" (anything else). */
type Lookup = bigint | 'absent' | 'error';

export interface PlacementResult {
  /** Lookups that failed (not "no such entry"): the facts they decide are unknown. */
  errors: number;
}

interface Placed {
  proc: Proc<number>;
  record: DraftProcess;
  cache: CacheEntry;
}

/**
 * Fills `record.cwd` and `record.exePlacement` of every process; one lookup cache for the whole scan.
 * The root key of a process comes from the process cache while fresh (process-cache.ts).
 */
export function collectExePlacement(live: readonly Placed[], cache: ProcessCache, nowMs: number): PlacementResult {
  const lookups = new PlacementLookups();
  for (const p of live) {
    p.record.cwd = p.proc.cwd()?.path ?? '';
    p.record.exePlacement = placementOf(p, lookups, () => cachedRootKey(p, cache, nowMs));
  }
  return { errors: lookups.errors };
}

function placementOf({ proc, record }: Placed, lookups: PlacementLookups, rootOf: () => string | null): ExePlacement {
  if (record.exe === '' || isMemfdPath(record.exe)) return { worldWritableDir: null, systemProgramNamed: null };
  const root = rootOf();
  // A chrooted process's exe is named from outside its root: its tree cannot answer for that path.
  if (root === null) return { worldWritableDir: null, systemProgramNamed: null };
  return {
    worldWritableDir: worldWritableAncestor(proc, root, record.exe, lookups),
    systemProgramNamed: isSystemPath(record.exe) || !isPlainName(record.comm) ? null : systemProgramNamed(proc, root, record.comm, lookups),
  };
}

function cachedRootKey({ proc, cache: entry }: Placed, cache: ProcessCache, nowMs: number): string | null {
  const cached = cache.cachedRootKey(entry, nowMs);
  if (cached !== undefined) return cached;
  const key = rootKey(proc);
  cache.storeRootKey(entry, key, nowMs);
  return key;
}

/** mount namespace + root: null when unreadable or chrooted (root is not "/"). */
function rootKey(proc: Proc<number>): string | null {
  const mnt = proc.mountNamespace();
  return mnt !== null && proc.rootLink() === '/' ? mnt : null;
}

/** The outermost o+w directory above `exe`; "" none; null when one lookup failed before any was found. */
function worldWritableAncestor(proc: Proc<number>, root: string, exe: string, lookups: PlacementLookups): string | null {
  let unknown = false;
  for (const dir of ancestorDirs(exe)) {
    const mode = lookups.lstat(proc, root, dir);
    if (typeof mode === 'bigint') {
      if ((mode & S_IWOTH) !== 0n) return dir;
    } else unknown = true;
  }
  return unknown ? null : '';
}

function systemProgramNamed(proc: Proc<number>, root: string, name: string, lookups: PlacementLookups): boolean | null {
  let unknown = false;
  for (const dir of SYSTEM_BIN_DIRS) {
    const found = lookups.lstat(proc, root, `${dir}/${name}`);
    if (typeof found === 'bigint') return true;
    if (found === 'error') unknown = true;
  }
  return unknown ? null : false;
}

/** lstat answers for one scan, by (root key, path). */
class PlacementLookups {
  errors = 0;
  private readonly cache = new Map<string, Lookup>();

  lstat(proc: Proc<number>, root: string, path: string): Lookup {
    const key = `${root}\0${path}`;
    let answer = this.cache.get(key);
    if (answer === undefined) {
      answer = this.ask(proc, path);
      this.cache.set(key, answer);
    }
    return answer;
  }

  private ask(proc: Proc<number>, path: string): Lookup {
    let st: BigIntStats;
    try {
      st = proc.lstatInRoot(path);
    } catch (err) {
      // A root that hung an earlier scan is skipped: unknown, counted in lsof_scan_hung_targets instead.
      if (err instanceof HungTargetSkipped) return 'error';
      if (classifyReadError(err) === 'gone') return 'absent';
      this.errors++;
      return 'error';
    }
    return st.mode;
  }
}
