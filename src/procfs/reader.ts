/**
 * The one place that touches the procfs and the host's /etc files. Everything here is a thin,
 * synchronous read (the scanner runs in a worker thread, where sync calls are the cheapest way to
 * issue hundreds of thousands of small syscalls); all parsing lives in the sibling modules.
 *
 * Files under /proc report a size of 0 (or a wrong one), so they are read until EOF without
 * trusting stat (see prometheus/procfs internal/util/readfile.go).
 */
import fs from 'node:fs';
import path from 'node:path';
import { forEachUnixInode } from './net-unix.js';
import { loadNative, type NativeProcfs, type RawFdDir } from './native.js';

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

export interface ReaderOptions {
  /** Use the native fast path when it is built (default true); false forces the TypeScript path. */
  native?: boolean;
}

export class ProcReader {
  private chunk = Buffer.allocUnsafe(SMALL_BUFFER_BYTES);
  /** The native fast path (src/procfs/native.ts), or undefined for the TypeScript path. */
  readonly native: NativeProcfs | undefined;

  constructor(readonly procRoot: string, readonly rootfs: string = '/', options: ReaderOptions = {}) {
    this.native = options.native === false ? undefined : loadNative().native;
  }

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

  readBytes(file: string): Buffer {
    const n = this.readWhole(file); // may replace this.chunk: read it after
    const bytes = Buffer.from(this.chunk.subarray(0, n));
    this.shrink();
    return bytes;
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

  readLinkBytes(file: string): Buffer {
    return fs.readlinkSync(file, { encoding: 'buffer' });
  }

  /** Link text as latin1: lossless for bytes, cheap; decode for labels only where needed. */
  readLinkRaw(file: string): string {
    return fs.readlinkSync(file, { encoding: 'latin1' });
  }

  /** The inode of every socket of a /proc/net/unix table, through the fast path when there is one. */
  unixInodes(file: string): Float64Array {
    if (this.native) return this.native.readUnixInodes(file);
    const inodes: number[] = [];
    this.readLines(file, (text) => forEachUnixInode(text, (inode) => inodes.push(inode)));
    return Float64Array.from(inodes);
  }

  /** Per descriptor of `pid`, what its socket is (SOCKET_PROTOCOL); native fast path only. */
  socketProtocols(pid: number, fds: Int32Array): Uint8Array {
    return this.native!.socketProtocols(this.procPath(pid, 'fd'), fds);
  }

  /** The native fast path's read of a /proc/PID/fd folder (only when `native` is set). */
  readFdDirNative(dir: string): RawFdDir {
    return this.native!.readFdDir(dir);
  }

  listDir(dir: string): string[] {
    return fs.readdirSync(dir);
  }

  /** stat(2) following the link: for /proc/PID/fd/N this is the open file itself. */
  stat(file: string): fs.BigIntStats {
    return fs.statSync(file, { bigint: true });
  }

  /** On kernel >= 6.2 the size of /proc/PID/fd is the number of open descriptors. */
  fdDirSize(pid: number): number {
    return fs.statSync(this.procPath(pid, 'fd')).size;
  }

  rootfsPath(file: string): string {
    return path.join(this.rootfs, file);
  }

  mtimeMs(file: string): number {
    return fs.statSync(file).mtimeMs;
  }
}
