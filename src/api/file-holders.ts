/**
 * `lsof FILE` and `lsof +D DIR`: which processes hold a file, or anything under a folder, open, as a
 * descriptor, their cwd or their executable. cwd and executable are read live for every process; the
 * descriptors through the last scan's open-path index (src/scan/open-path-index.ts) where it is
 * still good: a process whose descriptor count is what the index was built for, and whose index has
 * no hash of the path, is not read; one whose index names it has just the named descriptors read
 * (FILE) or its whole table (+D DIR); a process not indexed, over the index's cap or whose count
 * moved is read whole, as without an index. Every row is a live read. Runs in a worker of its own
 * (file-search.ts): without the index, a readlink per descriptor of the host (seconds at 500k).
 */
import { decodeProcBytes } from '../procfs/proc-text.js';
import { linkMatcher, type LinkQuery } from '../procfs/link-match.js';
import type { FdLink } from '../procfs/fd-table.js';
import type { Proc, ProcFs } from '../procfs/proc.js';
import { classifyReadError } from '../procfs/reader.js';
import { fdsWithHash, indexHas, queryHash } from '../procfs/path-index.js';
import type { IndexedProcess, OpenPathIndex } from '../scan/open-path-index.js';
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
  /** How the scan's open-path index served the search; null when there was none (all read live). */
  index: IndexUse | null;
}

export interface IndexUse {
  /** The index is as of the start of the scan that checked the counts (ms since the epoch). */
  asOfMs: number;
  /** Processes answered from the index (count unchanged), read only where it named the path. */
  processesIndexed: number;
  /** Of those, the ones whose index held the path's hash (then verified live). */
  processesCandidates: number;
  /** Processes whose whole descriptor table was read: not indexed, count moved, over the cap, or +D. */
  processesReadWhole: number;
  /** Processes the index left out because their table was over its per-process cap. */
  processesOverCap: number;
  /**
   * Of `truncated`: rows past MAX_FILE_HOLDERS counted from the index (the descriptors it names for
   * FILE), not read: once the table is full, reading them would only change a count.
   */
  rowsUnverified: number;
  /** +D candidates not read once the rows were full (how many rows they hold is unknown). */
  processesNotRead: number;
}

export function parseFileQuery(path: string | null, under: boolean): FileQuery {
  if (path === null || path === '') throw new ApiError(400, 'path is required, e.g. ?path=/var/log/syslog or ?path=/var/log&under=1');
  if (!path.startsWith('/')) throw new ApiError(400, 'path must be absolute (start with /)');
  if (path.includes('\0') || Buffer.byteLength(path) > MAX_QUERY_BYTES) throw new ApiError(400, `path must be at most ${MAX_QUERY_BYTES} bytes without NUL`);
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return { path: trimmed || '/', under };
}

/** What one search needs besides the query: its matcher, the path's hash, the index by pid. */
interface Search {
  q: FileQuery;
  matches: (raw: string) => boolean;
  hash: number;
  byPid: Map<number, IndexedProcess>;
  out: FileHolders;
}

export function findFileHolders(procfs: ProcFs, users: UserNames, q: FileQuery, index?: OpenPathIndex): FileHolders {
  const out: FileHolders = { rows: [], truncated: 0, processesSearched: 0, processesDenied: 0, index: null };
  if (index) out.index = { asOfMs: index.asOfMs, processesIndexed: 0, processesCandidates: 0, processesReadWhole: 0, processesOverCap: 0, rowsUnverified: 0, processesNotRead: 0 };
  const search: Search = { q, matches: linkMatcher(q), hash: queryHash(q.path), byPid: new Map(index?.processes.map((p) => [p.pid, p])), out };
  users.refresh();
  for (const pid of procfs.listPids()) {
    const proc = procfs.proc(pid);
    const hits = holdingsOf(proc, search);
    if (hits.length === 0) continue;
    const who = identity(proc, users);
    for (const h of hits) {
      if (out.rows.length < MAX_FILE_HOLDERS) out.rows.push({ pid, ...who, ...h });
      else out.truncated++;
    }
  }
  return out;
}

/** cwd and txt through the matcher, then the descriptors (descriptorHits). */
function holdingsOf(proc: Proc, s: Search): { fd: string; path: string; deleted: boolean }[] {
  const hit = (fd: string, raw: string) => ({ fd, path: decodeProcBytes(Buffer.from(raw, 'latin1')), deleted: raw.endsWith(' (deleted)') });
  const hits: { fd: string; path: string; deleted: boolean }[] = [];
  for (const [fd, link] of [['cwd', 'cwd'], ['txt', 'exe']] as const) {
    try {
      const raw = proc.linkRaw(link);
      if (s.matches(raw)) hits.push(hit(fd, raw));
    } catch {
      // exited, or not ours to read
    }
  }
  try {
    for (const { fd, raw } of descriptorHits(proc, s)) hits.push(hit(String(fd), raw));
    s.out.processesSearched++;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES' || (err as NodeJS.ErrnoException).code === 'EPERM') s.out.processesDenied++;
  }
  return hits;
}

/**
 * The matching descriptors: from the index while the process's count is the one it was built for
 * (none read when it lacks the path's hash; for FILE only the descriptors it names, each verified
 * by a readlink, and once the rows are full just counted), otherwise one fdLinksMatching call over
 * the whole table (native: in C).
 */
function descriptorHits(proc: Proc, s: Search): FdLink[] {
  const use = s.out.index;
  const entry = s.byPid.get(Number(proc.pid));
  if (use && entry && entry.index === null) use.processesOverCap++;
  if (use && entry?.index && proc.fdCount() === entry.fdCount) {
    use.processesIndexed++;
    if (!indexHas(entry.index, s.hash)) return [];
    use.processesCandidates++;
    const room = Math.max(0, MAX_FILE_HOLDERS - s.out.rows.length);
    if (!s.q.under) {
      const named = fdsWithHash(entry.index, s.hash);
      const unread = Math.max(0, named.length - room);
      use.rowsUnverified += unread;
      s.out.truncated += unread;
      return verifiedLinks(proc, named.slice(0, named.length - unread), s.matches);
    }
    if (room === 0) {
      use.processesNotRead++;
      return [];
    }
  }
  if (use) use.processesReadWhole++;
  return proc.fdLinksMatching(s.q);
}

/** The named descriptors whose link matches now (a collision, or one closed since, is not a hit). */
function verifiedLinks(proc: Proc, fds: number[], matches: (raw: string) => boolean): FdLink[] {
  const out: FdLink[] = [];
  for (const fd of fds) {
    let raw: string;
    try {
      raw = proc.fdLinkRaw(fd);
    } catch (err) {
      if (classifyReadError(err) === 'denied') throw err;
      continue; // closed since the scan
    }
    if (matches(raw)) out.push({ fd, raw });
  }
  return out;
}

function identity(proc: Proc, users: UserNames): { process: string; user: string } {
  try {
    const s = proc.status();
    return { process: s.name, user: users.name(s.effectiveUid) };
  } catch {
    return { process: '', user: '' };
  }
}
