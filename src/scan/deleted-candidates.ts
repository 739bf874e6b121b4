/**
 * A bound on what a descriptor table keeps of its " (deleted)" candidates (issue 14, item 8). The
 * table is cached for minutes, and a hostile process chooses the candidates: one user opened one
 * unlinked file with a 4,000-byte path 19,000 times and the exporter kept 19,000 copies of the path.
 * Now a table keeps each distinct link text once (one file opened 20,000 times is one string), and
 * at most MAX_PER_PROCESS candidates; the rest are dropped and counted
 * (lsof_scan_deleted_candidates_dropped), so a process with more pins more than is reported.
 */
import type { DeletedCandidate, FdTable } from '../procfs/fd-table.js';

/** Candidates kept per table: far above what a real process holds, and a bound on stat(2) per scan. */
export const MAX_PER_PROCESS = 256;

const dropped = new WeakMap<FdTable, number>();

/** Bound `table`'s candidates in place (a freshly read table, before it is cached). */
export function boundDeletedCandidates(table: FdTable): void {
  const all = table.deletedCandidates;
  if (all.length === 0) return;
  const texts = new Map<string, string>();
  const kept: DeletedCandidate[] = [];
  for (const c of all.length > MAX_PER_PROCESS ? all.slice(0, MAX_PER_PROCESS) : all) {
    let text = texts.get(c.rawPath);
    if (text === undefined) texts.set(c.rawPath, (text = c.rawPath));
    kept.push({ fd: c.fd, rawPath: text });
  }
  table.deletedCandidates = kept;
  if (all.length > kept.length) dropped.set(table, all.length - kept.length);
}

/** Candidates `table` dropped when it was read (it keeps saying so while it is cached). */
export function droppedCandidates(table: FdTable): number {
  return dropped.get(table) ?? 0;
}
