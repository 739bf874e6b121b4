/**
 * Procfs handles for tests over a (possibly fault-injecting) ProcReader, on either descriptor path,
 * with an optional hook before each descriptor-table read (both paths go through it).
 */
import { createFdTableReader, type FdTableReader } from '../../src/procfs/fd-table.js';
import { ProcFs } from '../../src/procfs/proc.js';
import type { ProcReader } from '../../src/procfs/reader.js';

export interface TestProcFsOptions {
  native?: boolean;
  beforeFdRead?: (dir: string) => void;
  /** Called after each /proc/PID/net/unix table read that succeeded, on either path. */
  afterUnixTable?: (file: string) => void;
}

export function procfsOver(reader: ProcReader, opts: TestProcFsOptions = {}): ProcFs {
  const inner = createFdTableReader(reader, opts.native ?? true);
  const fdTables: FdTableReader = {
    native: inner.native,
    indexesPaths: inner.indexesPaths,
    read: (dir) => {
      opts.beforeFdRead?.(dir);
      return inner.read(dir);
    },
    socketProtocols: (dir, fds) => inner.socketProtocols(dir, fds),
    matchingLinks: (dir, q) => inner.matchingLinks(dir, q),
    unixInodes: (file) => {
      const inodes = inner.unixInodes(file);
      opts.afterUnixTable?.(file);
      return inodes;
    },
  };
  return new ProcFs(reader, { fdTables });
}
