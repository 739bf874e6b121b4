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

/** Upper bound on one /proc file we are willing to hold: a socket table of 2M sockets fits. */
const MAX_PROC_FILE_BYTES = 512 * 1024 * 1024;

export type ReadFailure = 'gone' | 'denied' | 'other';

/** Classify an fs error the way the scanner counts it: the process went away, or we may not look. */
export function classifyReadError(err: unknown): ReadFailure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return 'gone';
  if (code === 'EACCES' || code === 'EPERM') return 'denied';
  return 'other';
}

export class ProcReader {
  private chunk = Buffer.allocUnsafe(64 * 1024);

  constructor(readonly procRoot: string, readonly rootfs: string = '/') {}

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

  readBytes(file: string): Buffer {
    const fd = fs.openSync(file, 'r');
    try {
      let total = 0;
      const parts: Buffer[] = [];
      for (;;) {
        const n = fs.readSync(fd, this.chunk, 0, this.chunk.length, null);
        if (n === 0) break;
        parts.push(Buffer.from(this.chunk.subarray(0, n)));
        total += n;
        if (total > MAX_PROC_FILE_BYTES) throw new Error(`${file}: larger than ${MAX_PROC_FILE_BYTES} bytes`);
      }
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
    } finally {
      fs.closeSync(fd);
    }
  }

  readText(file: string): string {
    return this.readBytes(file).toString('latin1');
  }

  readUtf8(file: string): string {
    return this.readBytes(file).toString('utf8');
  }

  readLinkBytes(file: string): Buffer {
    return fs.readlinkSync(file, { encoding: 'buffer' });
  }

  /** Link text as latin1: lossless for bytes, cheap; decode for labels only where needed. */
  readLinkRaw(file: string): string {
    return fs.readlinkSync(file, { encoding: 'latin1' });
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
