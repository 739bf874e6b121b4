/**
 * Who holds the watched paths (--watch.path) open: per process, its descriptors under each watched
 * path, summed over its own table and its threads' private tables (tasks.ts). The links were matched
 * when each table was read (procfs/watched-paths.ts), so this costs one pass over the hit pairs of
 * the tables, nothing for tables with no hit, and nothing at all when no path is watched.
 *
 * A table taken from the cache carries the hits of when it was read: a process that opens a watched
 * file and closes another descriptor between scans keeps the same count, and shows the new file only
 * when its table expires (--scan.fd-cache-max-age, re-read after 50-100% of it). A change of the
 * count re-reads the table at once.
 */
import type { WatchList } from '../procfs/watched-paths.js';
import { addHitPairs } from '../procfs/watched-paths.js';
import type { WatchedPathRecord } from './context.js';
import type { LiveProcess } from './descriptors.js';
import { tablesOf } from './tasks.js';

export function collectWatchedPaths(live: readonly LiveProcess[], watches: WatchList): WatchedPathRecord[] {
  const records: WatchedPathRecord[] = [];
  for (const p of live) {
    const tables = tablesOf(p);
    if (!tables.some((t) => (t.watchedHits?.length ?? 0) > 0)) continue;
    const counts = new Map<number, number>();
    for (const table of tables) addHitPairs(counts, table.watchedHits);
    for (const [i, descriptors] of counts) records.push({ pid: p.record.pid, path: watches.paths[i]!, descriptors });
  }
  return records;
}
