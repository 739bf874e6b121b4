/**
 * One process's descriptors, read from /proc/PID/fd: types of the non-socket fds, the socket inodes
 * (typed later against the socket index) and the candidates for deleted-but-open files.
 * This is the expensive part of a scan (a readlink per descriptor), so the scanner caches it, in
 * typed arrays: a cached table of 1000 descriptors costs a few kilobytes, not 1000 strings.
 * Two readers give the same table: the native fast path (procfs_fast.c) and the TypeScript loop,
 * behind one interface (FdTableReader) chosen once when the procfs handle is made, with the watched
 * paths (watched-paths.ts) the links are matched against on the way.
 */
import { classifyFdTarget, emptyFdTypeCounts, type FdType } from './fd-target.js';
import { linkMatcher, type LinkQuery } from './link-match.js';
import { loadNative, NATIVE_KINDS, type NativeProcfs } from './native.js';
import { classifyReadError, type ProcReader } from './reader.js';
import { PathIndexBuilder, sharePathIndex, type PathIndex } from './path-index.js';
import { NO_HITS, NO_WATCHES, WatchHits, type WatchList } from './watched-paths.js';

export interface DeletedCandidate {
  fd: number;
  /** Path without the " (deleted)" suffix, still raw latin1 bytes. */
  rawPath: string;
}

export interface FdTable {
  count: number;
  /** Counts of every type except sockets, which need the socket index. */
  nonSocket: Record<FdType, number>;
  socketInodes: Float64Array;
  /** The descriptor of each socket (socketFds[i] holds socketInodes[i]). */
  socketFds: Int32Array;
  /**
   * What each socket is, when it is in no TCP/UDP table (SOCKET_PROTOCOL: unix or other); filled in
   * the scan that read the table (see unix-sockets.ts), so a cached table is never asked again.
   */
  socketProtocols: Uint8Array;
  deletedCandidates: DeletedCandidate[];
  /**
   * The descriptors that are memfds, the lowest-numbered MAX_MEMFDS_PER_TABLE of them (nonSocket.memfd counts
   * them all): what the scan stats to learn the memory they pin (scan/memfds.ts).
   */
  memfdFds: Int32Array;
  /**
   * Descriptors under each watched path (--watch.path): pairs [watch index, count, ...] for the
   * watches with hits; absent or empty when none (watched-paths.ts).
   */
  watchedHits?: Uint32Array;
  /**
   * The open-path index for the open-file search (path-index.ts), when the reader builds one: null
   * when the table was over a cap (that process is searched live).
   */
  pathIndex?: PathIndex | null;
}

/**
 * memfd descriptors kept per table, as the " (deleted)" candidates are bounded: far above what a real
 * process holds (a browser or compositor holds tens), and a bound on the stat(2) calls per scan.
 */
export const MAX_MEMFDS_PER_TABLE = 256;

/** Reads descriptor folders; the native and the TypeScript implementation give equal tables. */
export interface FdTableReader {
  /** True for the native fast path (lsof_scan_native_fast_path). */
  readonly native: boolean;
  /** Every table read carries its open-path index (pathIndex). */
  readonly indexesPaths: boolean;
  /** The table of one /proc/PID/fd folder; throws the fs error of the folder itself. */
  read(dir: string): FdTable;
  /** What each socket descriptor is (SOCKET_PROTOCOL), or null where only the socket tables can tell. */
  socketProtocols(dir: string, fds: Int32Array): Uint8Array | null;
  /** The inode of every socket of a /proc/net/unix table. */
  unixInodes(file: string): Float64Array;
  /** The descriptors of a /proc/PID/fd folder whose target matches (lsof FILE, +D); throws the folder's error. */
  matchingLinks(dir: string, q: LinkQuery): FdLink[];
}

/** One descriptor and its raw link text (latin1 view of the kernel's bytes, " (deleted)" kept). */
export interface FdLink {
  fd: number;
  raw: string;
}

/**
 * The native reader when the addon is built and `native` is not false, the TypeScript one otherwise.
 * @param reader the I/O the TypeScript path (and the native path's odd links) use.
 * @param watches the watched paths every table counts its descriptors under.
 * @param pathIndex every table also builds its open-path index (the page's open-file search is on).
 */
export function createFdTableReader(reader: ProcReader, native = true, watches: WatchList = NO_WATCHES, pathIndex = false): FdTableReader {
  const addon = native ? loadNative().native : undefined;
  return addon ? nativeReader(reader, addon, watches, pathIndex) : typescriptReader(reader, watches, pathIndex);
}

function typescriptReader(reader: ProcReader, watches: WatchList, pathIndex: boolean): FdTableReader {
  return {
    native: false,
    indexesPaths: pathIndex,
    read: (dir) => typescriptFdTable(reader, dir, watches, pathIndex),
    socketProtocols: () => null,
    unixInodes: (file) => reader.unixInodes(file),
    matchingLinks: (dir, q) => typescriptMatchingLinks(reader, dir, q),
  };
}

function typescriptMatchingLinks(reader: ProcReader, dir: string, q: LinkQuery): FdLink[] {
  const matches = linkMatcher(q);
  const out: FdLink[] = [];
  for (const name of reader.listDir(dir)) {
    if (!isFdName(name)) continue;
    let raw: string;
    try {
      raw = reader.readLinkRaw(`${dir}/${name}`);
    } catch (err) {
      if (classifyReadError(err) === 'denied') throw err;
      continue; // closed since the listing
    }
    if (matches(raw)) out.push({ fd: Number(name), raw });
  }
  return out;
}

function nativeReader(reader: ProcReader, addon: NativeProcfs, watches: WatchList, pathIndex: boolean): FdTableReader {
  return {
    native: true,
    indexesPaths: pathIndex,
    read: (dir) => nativeFdTable(addon, dir, watches, pathIndex),
    socketProtocols: (dir, fds) => addon.socketProtocols(dir, fds),
    unixInodes: (file) => addon.readUnixInodes(file),
    matchingLinks: (dir, q) => {
      const [fds, links] = addon.findFdLinks(dir, q.path, q.under);
      return links.map((raw, i) => ({ fd: fds[i]!, raw }));
    },
  };
}

/** Accumulates one table from classified links (the TypeScript path, and the native path's odd links). */
class TableBuilder {
  readonly nonSocket = emptyFdTypeCounts();
  readonly inodes: number[] = [];
  readonly fds: number[] = [];
  readonly deleted: DeletedCandidate[] = [];
  readonly memfds: number[] = [];
  readonly watched: WatchHits;

  constructor(watches: WatchList) {
    this.watched = new WatchHits(watches);
  }

  add(fd: number, target: string): void {
    const t = classifyFdTarget(target);
    if (t.kind === 'socket') {
      this.inodes.push(t.inode);
      this.fds.push(fd);
    } else if (t.kind === 'simple') {
      this.nonSocket[t.type]++;
      if (t.type === 'memfd') this.addMemfd(fd);
    } else {
      this.nonSocket[t.device ? 'device' : 'file']++;
      if (t.deletedSuffix) this.deleted.push({ fd, rawPath: t.path });
      this.watched.add(t.path);
    }
  }

  addMemfd(fd: number): void {
    this.memfds.push(fd);
  }

  /** The lowest-numbered MAX_MEMFDS_PER_TABLE: both paths keep the same ones, whatever order they read. */
  private boundedMemfds(): Int32Array {
    const all = Int32Array.from(this.memfds).sort();
    return all.length > MAX_MEMFDS_PER_TABLE ? all.slice(0, MAX_MEMFDS_PER_TABLE) : all;
  }

  build(count: number, nativeInodes?: Float64Array, nativeFds?: Int32Array, nativeHits?: Uint32Array): FdTable {
    const socketInodes = concat(Float64Array, nativeInodes, this.inodes);
    return {
      count,
      nonSocket: this.nonSocket,
      socketInodes,
      socketFds: concat(Int32Array, nativeFds, this.fds),
      socketProtocols: new Uint8Array(socketInodes.length),
      deletedCandidates: this.deleted,
      memfdFds: this.boundedMemfds(),
      watchedHits: nativeHits ?? this.watched.pairs(),
    };
  }
}

function concat<T extends Float64Array | Int32Array>(Type: { new (n: number): T }, head: T | undefined, tail: number[]): T {
  if (head && tail.length === 0) return head;
  const out = new Type((head?.length ?? 0) + tail.length);
  if (head) out.set(head);
  out.set(tail, head?.length ?? 0);
  return out;
}

/** Only numeric entries are descriptors (a hostile or fake tree may hold others). */
function isFdName(name: string): boolean {
  return /^\d+$/.test(name);
}

function typescriptFdTable(reader: ProcReader, dir: string, watches: WatchList, pathIndex: boolean): FdTable {
  const b = new TableBuilder(watches);
  const ix = pathIndex ? new PathIndexBuilder() : undefined;
  let count = 0;
  for (const name of reader.listDir(dir)) {
    if (!isFdName(name)) continue;
    let target: string;
    try {
      target = reader.readLinkRaw(`${dir}/${name}`);
    } catch (err) {
      const failure = classifyReadError(err);
      // Closed between readdir and readlink: it is simply not open any more.
      if (failure === 'gone') continue;
      if (failure === 'denied') throw err;
      // Open but unreadable (a path longer than PATH_MAX): counted; the others are still read.
      count++;
      b.nonSocket.unreadable++;
      continue;
    }
    count++;
    b.add(Number(name), target);
    ix?.add(Number(name), target);
  }
  const table = b.build(count);
  if (ix) table.pathIndex = ix.build();
  return table;
}

/** Paths are matched in C (`under_watch`); the odd links it returns are never paths. */
function nativeFdTable(addon: NativeProcfs, dir: string, watches: WatchList, pathIndex: boolean): FdTable {
  const raw = addon.readFdDir(dir, watches.raw.length > 0 ? watches.raw : undefined, pathIndex);
  const [count, kinds, inodes, fds, [deletedFds, deletedPaths], [oddFds, oddTexts], memfdFds, hits, index] = raw;
  const b = new TableBuilder(NO_WATCHES);
  NATIVE_KINDS.forEach((type, i) => (b.nonSocket[type] += kinds[i]!));
  deletedFds.forEach((fd, i) => b.deleted.push({ fd, rawPath: deletedPaths[i]! }));
  oddFds.forEach((fd, i) => b.add(fd, oddTexts[i]!));
  memfdFds.forEach((fd) => b.addMemfd(fd));
  const table = b.build(count, inodes, fds, hits && hits.length > 0 ? hits : NO_HITS);
  if (pathIndex) table.pathIndex = index ? sharePathIndex(...index) : null;
  return table;
}

