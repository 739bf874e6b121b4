/**
 * A listening socket no process holds is the headline signal, so its holder is searched for in the
 * same scan, cheapest and likeliest places first, each step only while some socket is still
 * holderless (and each inode once: a permanent orphan, such as a kernel socket, costs once):
 *  1. processes started since the scan listed /proc (on a busy host most orphans are theirs);
 *  2. processes whose table this scan read but whose descriptor count has moved since (a process
 *     listening while it was being read);
 *  3. the cached tables of processes in the socket's namespace running as its uid (where the
 *     owner must be): a process that closed one fd and listened keeps its count, so its cached
 *     table hides the listener;
 *  4. the tables of the threads of multi-threaded processes running as its uid: a thread with a
 *     private table whose count matches its process's (see tasks.ts).
 * Without steps 1 and 2, a host with steady process churn sent every scan to step 3 and re-read
 * every cached table of the busiest uid, scan after scan.
 */
import type { ListenerRecord } from './context.js';
import { readProcessFds, type LiveProcess } from './descriptors.js';
import type { ProcessCache } from './process-cache.js';
import type { ScanStatsBuilder } from './scan-stats.js';
import { stillHolderless } from './joins.js';
import { findHiddenTaskHolders } from './tasks.js';

export interface HolderSearchScan {
  live: LiveProcess[];
  /** The pids the scan listed at its start. */
  listed: readonly number[];
  listeners: readonly ListenerRecord[];
  stats: ScanStatsBuilder;
  nowMs: number;
  /** Reads pids the listing missed, as the processes and descriptors phases would. */
  readNewcomers(pids: number[]): LiveProcess[];
  /** The pids listed now. */
  listPids(): number[];
}

export class HolderSearch {
  /** Holderless listening inodes already searched for. */
  private tried = new Set<number>();

  constructor(private readonly cache: ProcessCache) {}

  /** @returns whether any process was added to `scan.live` or re-read (the joins must be redone). */
  run(scan: HolderSearchScan): boolean {
    const holderless = scan.listeners.filter((l) => l.holders.length === 0);
    let orphans = holderless.filter((l) => !this.tried.has(l.inode));
    this.tried = new Set(holderless.map((l) => l.inode));
    if (orphans.length === 0) return false;
    const steps = [
      () => this.addNewcomers(scan),
      () => this.rereadMoved(scan),
      () => this.rereadSuspects(scan, orphans),
      () => findHiddenTaskHolders(scan.live, orphans, scan.stats),
    ];
    let changed = false;
    for (const step of steps) {
      if (!step()) continue;
      changed = true;
      orphans = stillHolderless(scan.live, orphans);
      if (orphans.length === 0) break;
    }
    return changed;
  }

  /** Step 1: pids listed now but not when the scan began. */
  private addNewcomers(scan: HolderSearchScan): boolean {
    const seen = new Set(scan.listed);
    const newcomers = scan.listPids().filter((pid) => !seen.has(pid));
    if (newcomers.length === 0) return false;
    const added = scan.readNewcomers(newcomers);
    scan.live.push(...added);
    return added.length > 0;
  }

  /** Step 2: tables read this scan whose process has a different descriptor count now. */
  private rereadMoved(scan: HolderSearchScan): boolean {
    // Without a kernel count (before 6.2) nothing is known to have moved: step 3 covers those.
    const moved = scan.live.filter((p) => {
      const now = p.fdTable && !p.fromCache ? p.proc.fdCount() : null;
      return now !== null && now !== p.fdTable!.count;
    });
    return this.reread(scan, moved);
  }

  /** Step 3: cached tables in an orphan's namespace, of processes running as its uid. */
  private rereadSuspects(scan: HolderSearchScan, orphans: ListenerRecord[]): boolean {
    const suspects = scan.live.filter(
      (p) => p.fromCache && orphans.some((o) => o.netns === p.record.netns && (o.socketUid === p.record.euid || o.socketUid === p.record.uid)),
    );
    return this.reread(scan, suspects);
  }

  private reread(scan: HolderSearchScan, processes: LiveProcess[]): boolean {
    for (const p of processes) {
      // A re-read replaces the lookup the descriptors phase counted: a hit becomes a miss.
      if (p.fromCache) scan.stats.s.cacheHits--;
      else scan.stats.s.cacheMisses--;
      try {
        readProcessFds(p, this.cache, scan.stats, scan.nowMs, true);
      } catch {
        p.fdTable = undefined; // exited since: it holds nothing now
      }
    }
    return processes.length > 0;
  }
}
