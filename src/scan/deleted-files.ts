/**
 * Deleted-but-open files (`lsof +L1`): the fd link says " (deleted)" AND stat through the fd says
 * the link count is 0. The suffix alone proves nothing (a live file may be named "x (deleted)").
 * Files are keyed by device+inode so one file held by 50 workers is one file of one size, with its
 * path once and one holder per process.
 */
import { HungTargetSkipped } from '../procfs/blocking-calls.js';
import { isUnlinked } from '../procfs/deleted-link.js';
import { droppedCandidates } from './deleted-candidates.js';
import type { FdTable } from '../procfs/fd-table.js';
import { decodeProcBytes } from '../procfs/proc-text.js';
import type { Proc } from '../procfs/proc.js';
import type { DeletedFileRecord } from './context.js';

export interface DeletedFilesResult {
  files: DeletedFileRecord[];
  statErrors: number;
  /** Candidates the tables dropped over their bound (deleted-candidates.ts). */
  droppedCandidates: number;
}

/** @param tables each table with the handle (process or thread) its descriptors are stat'ed through. */
export function collectDeletedFiles(tables: { pid: number; proc: Proc<number>; table?: FdTable }[]): DeletedFilesResult {
  const byKey = new Map<string, DeletedFileRecord & { holders: { pid: number; fd: number }[] }>();
  let statErrors = 0;
  let dropped = 0;
  for (const { pid, proc, table } of tables) {
    if (table) dropped += droppedCandidates(table);
    for (const c of table?.deletedCandidates ?? []) {
      let st;
      try {
        st = proc.fdStat(c.fd);
      } catch (err) {
        // Closed since we read the link (or the process exited): not open, nothing to report. A file
        // that hung an earlier scan is skipped, and counted in lsof_scan_hung_targets instead.
        if (!(err instanceof HungTargetSkipped)) statErrors++;
        continue;
      }
      if (!isUnlinked(st) || !st.isFile()) continue;
      const key = `${st.dev}:${st.ino}`;
      let rec = byKey.get(key);
      if (!rec) {
        rec = { device: formatDevice(st.dev), inode: String(st.ino), size: Number(st.size), allocatedBytes: Number(st.blocks) * 512, path: decodeProcBytes(Buffer.from(c.rawPath, 'latin1')), holders: [] };
        byKey.set(key, rec);
      }
      // One holder per process is enough (the signals name the lowest-pid one): 20,000 descriptors
      // of one file in one process keep one entry.
      if (rec.holders[rec.holders.length - 1]?.pid !== pid) rec.holders.push({ pid, fd: c.fd });
    }
  }
  return { files: [...byKey.values()], statErrors, droppedCandidates: dropped };
}

/** st_dev as "major:minor", the form lsof's DEVICE column and /proc/PID/mountinfo use. */
function formatDevice(dev: bigint): string {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return `${major}:${minor}`;
}
