/**
 * The I/O under the procfs handles (proc.ts): the one place that touches the procfs and the host's
 * /etc files. Everything here is a thin, synchronous read of a path the handles built (the scanner
 * runs in a worker thread, where sync calls are the cheapest way to issue hundreds of thousands of
 * small syscalls); all parsing lives in the sibling modules. Tests subclass it to inject faults.
 *
 * Files under /proc report a size of 0 (or a wrong one), so they are read until EOF without
 * trusting stat (see prometheus/procfs internal/util/readfile.go).
 */
import fs from 'node:fs';
import path from 'node:path';
import { forEachUnixInode } from './net-unix.js';

/** Upper bound on one /proc file we are willing to hold: a socket table of 2M sockets fits. */
const MAX_PROC_FILE_BYTES = 512 * 1024 * 1024;
/** Holds every per-process file; only socket tables need more, for the time of one read. */
const SMALL_BUFFER_BYTES = 64 * 1024;

export type ReadFailure = 'gone' | 'denied' | 'other';

/** Classify an fs error the way the scanner counts it: the process went away, or we may not look. */
export function classifyReadError(err: unknown): ReadFailure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return 'gone';
  if (code === 'EACCES' || code === 'EPERM') return 'denied';
  return 'other';
}

export class ProcReader {
  private chunk = Buffer.allocUnsafe(SMALL_BUFFER_BYTES);

  constructor(readonly procRoot: string, readonly rootfs: string = '/') {}

  /** Only proc.ts builds procfs paths (through this), so a path exists in one place. */
  procPath(...parts: (string | number)[]): string {
    return path.join(this.procRoot, ...parts.map(String));
  }

  /** Numeric entries of the procfs root: the thread-group leaders. */
  listPids(): number[] {
    const pids: number[] = [];
    for (const name of fs.readdirSync(this.procRoot)) {
      const c = name.charCodeAt(0);
      if (c >= 48 && c <= 57) pids.push(Number(name));
    }
    return pids.sort((a, b) => a - b);
  }

  /**
   * Read a whole file into the reusable buffer (grown as needed, never shrunk) and return its length:
   * a scan reads thousands of small files and a few large socket tables, and copying each into fresh
   * buffers showed up in profiles. Callers decode straight out of the buffer.
   */
  private readWhole(file: string): number {
    const fd = fs.openSync(file, 'r');
    try {
      let total = 0;
      for (;;) {
        if (total === this.chunk.length) this.grow(file);
        const n = fs.readSync(fd, this.chunk, total, this.chunk.length - total, null);
        if (n === 0) return total;
        total += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  private grow(file: string): void {
    if (this.chunk.length * 2 > MAX_PROC_FILE_BYTES) throw new Error(`${file}: larger than ${MAX_PROC_FILE_BYTES} bytes`);
    const bigger = Buffer.allocUnsafe(this.chunk.length * 2);
    this.chunk.copy(bigger);
    this.chunk = bigger;
  }

  readText(file: string): string {
    return this.decode(file, 'latin1');
  }

  /**
   * Hand a large line-oriented file (a socket table of 100k lines) to `onLines` in pieces of whole
   * lines decoded as latin1, through the small buffer: no megabyte buffer or string per read.
   * `onLines` returning false stops the read there: a kernel seq file (net/tcp) then generates no
   * more than the page it was filling.
   */
  readLines(file: string, onLines: (text: string) => void | boolean): void {
    const fd = fs.openSync(file, 'r');
    try {
      let carry = '';
      for (;;) {
        const n = fs.readSync(fd, this.chunk, 0, this.chunk.length, null);
        if (n === 0) break;
        const text = carry + this.chunk.toString('latin1', 0, n);
        const end = text.lastIndexOf('\n') + 1;
        if (end > 0 && onLines(text.slice(0, end)) === false) return;
        carry = text.slice(end);
      }
      if (carry) onLines(carry);
    } finally {
      fs.closeSync(fd);
    }
  }

  readUtf8(file: string): string {
    return this.decode(file, 'utf8');
  }

  private decode(file: string, encoding: 'latin1' | 'utf8'): string {
    const n = this.readWhole(file); // may replace this.chunk: read it after
    const text = this.chunk.toString(encoding, 0, n);
    this.shrink();
    return text;
  }

  /** A large socket table should not pin megabytes between scans. */
  private shrink(): void {
    if (this.chunk.length > SMALL_BUFFER_BYTES) this.chunk = Buffer.allocUnsafe(SMALL_BUFFER_BYTES);
  }

  /** Link text as latin1: lossless for bytes, cheap; decode for labels only where needed. */
  readLinkRaw(file: string): string {
    return fs.readlinkSync(file, { encoding: 'latin1' });
  }

  /** The inode of every socket of a /proc/net/unix table (the TypeScript path; see fd-table.ts). */
  unixInodes(file: string): Float64Array {
    const inodes: number[] = [];
    this.readLines(file, (text) => forEachUnixInode(text, (inode) => inodes.push(inode)));
    return Float64Array.from(inodes);
  }

  listDir(dir: string): string[] {
    return fs.readdirSync(dir);
  }

  /** stat(2) following the link: for /proc/PID/fd/N this is the open file itself. */
  stat(file: string): fs.BigIntStats {
    return fs.statSync(file, { bigint: true });
  }

  /** lstat(2): the entry itself, a symbolic link not followed. */
  lstat(file: string): fs.BigIntStats {
    return fs.lstatSync(file, { bigint: true });
  }

  /** stat(2) size: for /proc/PID/fd on Linux >= 6.2, the number of open descriptors. */
  statSize(file: string): number {
    return fs.statSync(file).size;
  }

  rootfsPath(file: string): string {
    return path.join(this.rootfs, file);
  }

  mtimeMs(file: string): number {
    return fs.statSync(file).mtimeMs;
  }
}
