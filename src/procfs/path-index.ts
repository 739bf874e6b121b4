/**
 * The open-path index of one descriptor table, kept with the cached table (it lives and dies with
 * it) so the open-file search (src/api/file-holders.ts) need not readlink every descriptor of the
 * host: 32-bit FNV-1a hashes of every path-like link target (a link that starts with "/", its
 * " (deleted)" suffix aside) and of each of its ancestor folders, sorted and deduplicated, plus each
 * such descriptor's number with the hash of its full path. A hash only names candidates: the search
 * verifies every match with a live readlink, so a collision costs a read, never a wrong answer.
 *
 * Both table readers build it: the native one in C (index_link in native/procfs_fast.c), the
 * TypeScript one with PathIndexBuilder; they agree hash for hash (test/integration/path-index).
 * Bounded per process: more than MAX_INDEX_HASHES distinct hashes or MAX_INDEXED_FDS path
 * descriptors and the table carries no index (null), and the search reads that process live.
 */
import { DELETED_SUFFIX } from './deleted-link.js';
import { sortedHas } from './sorted-has.js';

/** Distinct hashes per process (64 KiB); the same constant as INDEX_HASHES_MAX in procfs_fast.c. */
export const MAX_INDEX_HASHES = 16384;
/** Path descriptors per process (128 KiB of fd + hash pairs); INDEX_FDS_MAX in procfs_fast.c. */
export const MAX_INDEXED_FDS = 16384;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SLASH = 0x2f;

/** One table's index; the arrays are views over one SharedArrayBuffer (posted without a copy). */
export interface PathIndex {
  /** Sorted, distinct: every path's hash and its ancestors' ("/" included). */
  hashes: Uint32Array;
  /** Path descriptors, ascending, and the hash of each one's full path (fdHashes[i] for fds[i]). */
  fds: Int32Array;
  fdHashes: Uint32Array;
}

/** FNV-1a of a byte string held as latin1 (a raw link text) or of the UTF-8 of a query. */
export function hashBytes(bytes: Uint8Array): number {
  let h = FNV_OFFSET;
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
  return h;
}

const ROOT_HASH = hashBytes(Buffer.from('/'));

/** The hash a query path is looked up by (the search's path is UTF-8, the kernel's bytes likewise). */
export function queryHash(path: string): number {
  return hashBytes(Buffer.from(path, 'utf8'));
}

/** The table may hold `h` (a path, or a folder something is open below). */
export function indexHas(ix: PathIndex, h: number): boolean {
  return sortedHas(ix.hashes, h);
}

/** The descriptors whose full path hashed to `h` when the table was read. */
export function fdsWithHash(ix: PathIndex, h: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ix.fdHashes.length; i++) if (ix.fdHashes[i] === h) out.push(ix.fds[i]!);
  return out;
}

/** Builds one table's index from raw link texts: the TypeScript twin of index_link in C. */
export class PathIndexBuilder {
  private readonly hashes = new Set<number>();
  private readonly fds: number[] = [];
  private readonly fdHashes: number[] = [];
  private over = false;

  add(fd: number, raw: string): void {
    if (this.over || raw.charCodeAt(0) !== SLASH) return;
    const n = raw.endsWith(DELETED_SUFFIX) ? raw.length - DELETED_SUFFIX.length : raw.length;
    let h = FNV_OFFSET;
    this.hashes.add(ROOT_HASH);
    for (let i = 0; i < n; i++) {
      const c = raw.charCodeAt(i);
      if (c === SLASH && i > 0) this.hashes.add(h);
      h = Math.imul(h ^ (c & 0xff), FNV_PRIME) >>> 0;
    }
    this.hashes.add(h);
    this.fds.push(fd);
    this.fdHashes.push(h);
    if (this.hashes.size > MAX_INDEX_HASHES || this.fds.length > MAX_INDEXED_FDS) this.over = true;
  }

  /** The index, or null when the table was over a cap. */
  build(): PathIndex | null {
    if (this.over) return null;
    return sharePathIndex(Uint32Array.from(this.hashes).sort(), Int32Array.from(this.fds), Uint32Array.from(this.fdHashes));
  }
}


/**
 * One SharedArrayBuffer for the three arrays (the worker's snapshot message and the search worker
 * then share it instead of copying), the descriptors put in ascending order.
 * @param hashes already sorted and distinct.
 */
export function sharePathIndex(hashes: Uint32Array, fds: Int32Array, fdHashes: Uint32Array): PathIndex {
  const buf = new SharedArrayBuffer((hashes.length + 2 * fds.length) * 4);
  const out: PathIndex = {
    hashes: new Uint32Array(buf, 0, hashes.length),
    fds: new Int32Array(buf, hashes.length * 4, fds.length),
    fdHashes: new Uint32Array(buf, (hashes.length + fds.length) * 4, fds.length),
  };
  out.hashes.set(hashes);
  const order = Array.from(fds.keys());
  if (fds.some((fd, i) => i > 0 && fd < fds[i - 1]!)) order.sort((a, b) => fds[a]! - fds[b]!);
  order.forEach((from, to) => {
    out.fds[to] = fds[from]!;
    out.fdHashes[to] = fdHashes[from]!;
  });
  return out;
}
