/**
 * One process's descriptors, read from /proc/PID/fd: types of the non-socket fds, the socket inodes
 * (typed later against the socket index) and the candidates for deleted-but-open files.
 * This is the expensive part of a scan (a readlink per descriptor), so the scanner caches it.
 */
import { classifyFdTarget, emptyFdTypeCounts, type FdType } from '../procfs/fd-target.js';
import type { ProcReader } from '../procfs/reader.js';

export interface DeletedCandidate {
  fd: number;
  /** Path without the " (deleted)" suffix, still raw latin1 bytes. */
  rawPath: string;
}

export interface FdTable {
  count: number;
  /** Counts of every type except sockets, which need the socket index. */
  nonSocket: Record<FdType, number>;
  socketInodes: number[];
  deletedCandidates: DeletedCandidate[];
}

export function readFdTable(reader: ProcReader, pid: number): FdTable {
  const dir = reader.procPath(pid, 'fd');
  const names = reader.listDir(dir);
  const table: FdTable = { count: 0, nonSocket: emptyFdTypeCounts(), socketInodes: [], deletedCandidates: [] };
  for (const name of names) {
    let target: string;
    try {
      target = reader.readLinkRaw(`${dir}/${name}`);
    } catch (err) {
      // The fd was closed between readdir and readlink: it is simply not open any more.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    table.count++;
    addTarget(table, Number(name), target);
  }
  return table;
}

function addTarget(table: FdTable, fd: number, target: string): void {
  const t = classifyFdTarget(target);
  if (t.kind === 'socket') {
    table.socketInodes.push(t.inode);
  } else if (t.kind === 'simple') {
    table.nonSocket[t.type]++;
  } else {
    table.nonSocket[t.device ? 'device' : 'file']++;
    if (t.deletedSuffix) table.deletedCandidates.push({ fd, rawPath: t.path });
  }
}
