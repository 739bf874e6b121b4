/**
 * `lsof FILE` and `lsof +D DIR`: which processes hold a file, or anything under a folder, open, as a
 * descriptor, their cwd or their executable. Read live over every process (a readlink per descriptor:
 * about a second on a host with 500k descriptors), so it runs in a worker of its own (file-search.ts).
 */
import { decodeProcBytes } from '../procfs/proc-text.js';
import { linkMatcher, type LinkQuery } from '../procfs/link-match.js';
import type { Proc, ProcFs } from '../procfs/proc.js';
import type { UserNames } from '../scan/user-names.js';
import { ApiError } from './api-error.js';

export const MAX_FILE_HOLDERS = 5000;
const MAX_QUERY_BYTES = 4096;

/** `path`, or with `under` anything below it too (lsof +D). */
export type FileQuery = LinkQuery;

export interface FileHolderRow {
  pid: number;
  process: string;
  user: string;
  /** A descriptor number, or "cwd" / "txt" (the executable), as lsof's FD column. */
  fd: string;
  path: string;
  deleted: boolean;
}

export interface FileHolders {
  rows: FileHolderRow[];
  truncated: number;
  processesSearched: number;
  /** Processes whose descriptors we may not read (their holdings are unknown). */
  processesDenied: number;
}

export function parseFileQuery(path: string | null, under: boolean): FileQuery {
  if (path === null || path === '') throw new ApiError(400, 'path is required, e.g. ?path=/var/log/syslog or ?path=/var/log&under=1');
  if (!path.startsWith('/')) throw new ApiError(400, 'path must be absolute (start with /)');
  if (path.includes('\0') || Buffer.byteLength(path) > MAX_QUERY_BYTES) throw new ApiError(400, `path must be at most ${MAX_QUERY_BYTES} bytes without NUL`);
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return { path: trimmed || '/', under };
}

export function findFileHolders(procfs: ProcFs, users: UserNames, q: FileQuery): FileHolders {
  const matches = linkMatcher(q);
  const out: FileHolders = { rows: [], truncated: 0, processesSearched: 0, processesDenied: 0 };
  users.refresh();
  for (const pid of procfs.listPids()) {
    const proc = procfs.proc(pid);
    const hits = holdingsOf(proc, q, matches, out);
    if (hits.length === 0) continue;
    const who = identity(proc, users);
    for (const h of hits) {
      if (out.rows.length < MAX_FILE_HOLDERS) out.rows.push({ pid, ...who, ...h });
      else out.truncated++;
    }
  }
  return out;
}

/** cwd and txt through the matcher; the descriptors through one fdLinksMatching call (native: in C). */
function holdingsOf(proc: Proc, q: FileQuery, matches: (raw: string) => boolean, out: FileHolders): { fd: string; path: string; deleted: boolean }[] {
  const hit = (fd: string, raw: string) => ({ fd, path: decodeProcBytes(Buffer.from(raw, 'latin1')), deleted: raw.endsWith(' (deleted)') });
  const hits: { fd: string; path: string; deleted: boolean }[] = [];
  for (const [fd, link] of [['cwd', 'cwd'], ['txt', 'exe']] as const) {
    try {
      const raw = proc.linkRaw(link);
      if (matches(raw)) hits.push(hit(fd, raw));
    } catch {
      // exited, or not ours to read
    }
  }
  try {
    for (const { fd, raw } of proc.fdLinksMatching(q)) hits.push(hit(String(fd), raw));
    out.processesSearched++;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES' || (err as NodeJS.ErrnoException).code === 'EPERM') out.processesDenied++;
  }
  return hits;
}

function identity(proc: Proc, users: UserNames): { process: string; user: string } {
  try {
    const s = proc.status();
    return { process: s.name, user: users.name(s.effectiveUid) };
  } catch {
    return { process: '', user: '' };
  }
}
