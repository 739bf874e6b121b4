/**
 * The scan's open-path index for the page's open-file search (src/api/file-holders.ts): each
 * process's table index (src/procfs/path-index.ts) with the descriptor count it was built for, so
 * the search reads live only the processes the index names and those whose count moved since.
 * Built only when the reader indexes paths (--web.ui.enable); the indexes are SharedArrayBuffer
 * views owned by the fd cache, so this costs a list, not a copy.
 */
import type { PathIndex } from '../procfs/path-index.js';
import type { LiveProcess } from './descriptors.js';

export interface IndexedProcess {
  pid: number;
  /** The descriptor count of the table the index was built from. */
  fdCount: number;
  /** null: the table was over a per-process cap (path-index.ts); the search reads it live. */
  index: PathIndex | null;
}

export interface OpenPathIndex {
  /** When the scan checked the counts (its start): the index is as of then. */
  asOfMs: number;
  processes: IndexedProcess[];
}

/** Every process whose table was read or reused this scan; one we may not read is left out (read live). */
export function collectOpenPathIndex(live: readonly LiveProcess[], asOfMs: number): OpenPathIndex {
  const processes: IndexedProcess[] = [];
  for (const p of live) {
    const t = p.fdTable;
    if (t?.pathIndex !== undefined) processes.push({ pid: p.record.pid, fdCount: t.count, index: t.pathIndex });
  }
  return { asOfMs, processes };
}
