/**
 * uid -> user name from the host's /etc/passwd (under --path.rootfs), re-read when it changes.
 * Unknown uids (and a missing passwd, as in a distroless container) fall back to the number.
 */
import type { ProcFs } from '../procfs/proc.js';

export class UserNames {
  private names = new Map<number, string>();
  private loadedMtime = -1;
  /** Set when the passwd file could not be read; surfaced as a scan error. */
  lastError: string | null = null;
  /** Malformed lines of the last passwd read (skipped, counted as scan errors). */
  rejectedLines = 0;

  constructor(private readonly procfs: ProcFs) {}

  refresh(): void {
    try {
      const mtime = this.procfs.passwdMtimeMs();
      if (mtime === this.loadedMtime) return;
      const parsed = this.procfs.readPasswd();
      this.names = parsed.names;
      this.rejectedLines = parsed.rejectedLines;
      this.loadedMtime = mtime;
      this.lastError = null;
    } catch (err) {
      this.lastError = `${this.procfs.passwdFile()}: ${(err as Error).message}`;
    }
  }

  name(uid: number): string {
    return this.names.get(uid) ?? String(uid);
  }
}
