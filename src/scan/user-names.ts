/**
 * uid -> user name from the host's /etc/passwd (under --path.rootfs), re-read when it changes.
 * Unknown uids (and a missing passwd, as in a distroless container) fall back to the number.
 */
import { parseIdNameFile } from '../procfs/passwd.js';
import type { ProcReader } from '../procfs/reader.js';

export class UserNames {
  private names = new Map<number, string>();
  private loadedMtime = -1;
  /** Set when the passwd file could not be read; surfaced as a scan error. */
  lastError: string | null = null;
  /** Malformed lines of the last passwd read (skipped, counted as scan errors). */
  rejectedLines = 0;

  constructor(private readonly reader: ProcReader) {}

  refresh(): void {
    const file = this.reader.rootfsPath('etc/passwd');
    try {
      const mtime = this.reader.mtimeMs(file);
      if (mtime === this.loadedMtime) return;
      const parsed = parseIdNameFile(this.reader.readUtf8(file));
      this.names = parsed.names;
      this.rejectedLines = parsed.rejectedLines;
      this.loadedMtime = mtime;
      this.lastError = null;
    } catch (err) {
      this.lastError = `${file}: ${(err as Error).message}`;
    }
  }

  name(uid: number): string {
    return this.names.get(uid) ?? String(uid);
  }
}
