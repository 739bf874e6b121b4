/**
 * `lsof FILE` and `lsof +D DIR`: which processes hold a file, or anything under a folder, open, as a
 * descriptor, their cwd or their executable. Read live over every process (a readlink per descriptor:
 * about a second on a host with 500k descriptors), so it runs in a worker of its own (file-search.ts).
 */
import { decodeProcBytes } from '../procfs/proc-text.js';
import type { Proc, ProcFs } from '../procfs/proc.js';
import type { UserNames } from '../scan/user-names.js';
import { ApiError } from './api-error.js';

export const MAX_FILE_HOLDERS = 5000;
const MAX_QUERY_BYTES = 4096;

export interface FileQuery {
  path: string;
  /** Match anything below `path` too (lsof +D). */
  under: boolean;
}

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

/** Link texts are latin1 views of raw bytes; the query is compared in the same form. */
function matcher(q: FileQuery): (raw: string) => boolean {
  const want = Buffer.from(q.path, 'utf8').toString('latin1');
  const prefix = want === '/' ? '/' : `${want}/`;
  return (raw) => {
    const p = raw.endsWith(' (deleted)') ? raw.slice(0, -10) : raw;
    return p === want || (q.under && p.startsWith(prefix));
  };
}

export function findFileHolders(procfs: ProcFs, users: UserNames, q: FileQuery): FileHolders {
  const matches = matcher(q);
  const out: FileHolders = { rows: [], truncated: 0, processesSearched: 0, processesDenied: 0 };
  users.refresh();
  for (const pid of procfs.listPids()) {
    const proc = procfs.proc(pid);
    const hits = holdingsOf(proc, matches, out);
    if (hits.length === 0) continue;
    const who = identity(proc, users);
    for (const h of hits) {
      if (out.rows.length < MAX_FILE_HOLDERS) out.rows.push({ pid, ...who, ...h });
      else out.truncated++;
    }
  }
  return out;
}

function holdingsOf(proc: Proc, matches: (raw: string) => boolean, out: FileHolders): { fd: string; path: string; deleted: boolean }[] {
  const hits: { fd: string; path: string; deleted: boolean }[] = [];
  const check = (fd: string, readLink: () => string) => {
    let raw: string;
    try {
      raw = readLink();
    } catch {
      return; // closed, exited, or not ours to read
    }
    if (matches(raw)) hits.push({ fd, path: decodeProcBytes(Buffer.from(raw, 'latin1')), deleted: raw.endsWith(' (deleted)') });
  };
  check('cwd', () => proc.linkRaw('cwd'));
  check('txt', () => proc.linkRaw('exe'));
  let fds: number[];
  try {
    fds = proc.fdNumbers();
    out.processesSearched++;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES') out.processesDenied++;
    return hits;
  }
  for (const fd of fds) check(String(fd), () => proc.fdLinkRaw(fd));
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
