/**
 * What memfds pin (issue 14, item 7): memfd_create(2) gives anonymous memory a descriptor, and the
 * kernel names it "/memfd:NAME (deleted)", so it is no deleted file on a disk (fd-target.ts types it
 * memfd) but it holds memory for as long as it is open, in no process's RSS until mapped. A stat
 * through /proc/PID/fd/N of each memfd descriptor the tables list (at most MAX_MEMFDS_PER_TABLE per
 * table) gives its allocated bytes (st_blocks x 512: a memfd truncated to 1 GiB and never written
 * pins nothing). Each memfd is keyed by device and inode, so one shared by two processes (passed over
 * a unix socket, as compositors and audio servers do) is counted once, with one holder per process.
 * Only memfd descriptors are stat'ed: a host without memfds pays nothing. A cached table's memfds are
 * stat'ed again every scan (one stat each): what a memfd holds changes without the descriptor count
 * changing, and the cost is one call per memfd.
 */
import { HungTargetSkipped } from '../procfs/blocking-calls.js';
import { isUnlinked } from '../procfs/deleted-link.js';
import type { FdTable } from '../procfs/fd-table.js';
import type { Proc } from '../procfs/proc.js';
import { classifyReadError } from '../procfs/reader.js';
import type { MemfdRecord } from './context.js';

export interface MemfdsResult {
  memfds: MemfdRecord[];
  statErrors: number;
  /** memfd descriptors left out over the per-table bound (fd-table.ts MAX_MEMFDS_PER_TABLE). */
  dropped: number;
}

/** @param tables each table with the handle (process or thread) its descriptors are stat'ed through. */
export function collectMemfds(tables: { pid: number; proc: Proc<number>; table?: FdTable }[]): MemfdsResult {
  const byKey = new Map<string, MemfdRecord & { holders: number[] }>();
  let statErrors = 0;
  let dropped = 0;
  for (const { pid, proc, table } of tables) {
    if (!table) continue;
    dropped += table.nonSocket.memfd - table.memfdFds.length;
    for (const fd of table.memfdFds) {
      let st;
      try {
        st = proc.fdStat(fd);
      } catch (err) {
        // Closed since the table was read (it may be cached), or the process exited: not open now.
        // A target that hung an earlier scan is skipped and counted in lsof_scan_hung_targets.
        if (!(err instanceof HungTargetSkipped) && classifyReadError(err) !== 'gone') statErrors++;
        continue;
      }
      // A cached table's descriptor may since have been closed and reused: a memfd is an unlinked
      // regular file, so anything else is not counted.
      if (!isUnlinked(st) || !st.isFile()) continue;
      const key = `${st.dev}:${st.ino}`;
      let rec = byKey.get(key);
      if (!rec) byKey.set(key, (rec = { inode: String(st.ino), size: Number(st.size), allocatedBytes: Number(st.blocks) * 512, holders: [] }));
      if (rec.holders[rec.holders.length - 1] !== pid) rec.holders.push(pid);
    }
  }
  return { memfds: [...byKey.values()], statErrors, dropped };
}

