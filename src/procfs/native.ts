/**
 * The optional native fast path (native/procfs_fast.c, built by `npm ci` when a C toolchain is
 * present): the per-descriptor, per-socket and per-thread loops in C, where Node's readlinkSync alone costs
 * about 1.35x the syscall it wraps. Everything it returns is raw (link texts as latin1, kinds by
 * index); classification of anything unusual stays in TypeScript, so both paths agree. Absent or
 * disabled, the scanner uses the pure TypeScript path (same answers, more CPU).
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FD_TYPES } from './fd-target.js';

/** Non-socket kinds counted in C (`enum kind` in procfs_fast.c): FD_TYPES without the socket_ ones. */
export const NATIVE_KINDS = FD_TYPES.filter((t) => !t.startsWith('socket_'));

/** Descriptors with their raw link text: fds[i] points at texts[i]. */
export type RawLinks = [fds: Int32Array, texts: string[]];

export type RawFdDir = [
  count: number,
  kinds: Uint32Array,
  socketInodes: Float64Array,
  socketFds: Int32Array,
  /** Paths (without the " (deleted)" suffix) of links that ended in it. */
  deleted: RawLinks,
  /** Links the C code does not classify: the TypeScript classifier decides. */
  odd: RawLinks,
  /** The lowest-numbered MAX_MEMFDS_PER_TABLE memfd descriptors (fd-table.ts), in no order. */
  memfdFds: Int32Array,
  /** With watched paths: [watch index, descriptors, ...] for the watches with hits (watched-paths.ts). */
  watchedHits: Uint32Array | undefined,
  /** With the index asked for: [hashes, fds, fdHashes] (path-index.ts), null when over a cap. */
  pathIndex?: [hashes: Uint32Array, fds: Int32Array, fdHashes: Uint32Array] | null,
];

/**
 * The threads of one process (task-compare.ts): every thread id, ascending, and of the threads
 * compared those whose count or namespace differs, with their descriptor count (-1: unknown) and
 * namespace digits (null: unknown).
 */
export type RawTaskComparison = [tids: Int32Array, differing: [tids: Int32Array, fdCounts: Float64Array, netns: (string | null)[]]];

/** What a socket descriptor's "system.sockprotoname" says. */
export const SOCKET_PROTOCOL = { unknown: 0, unix: 1, other: 2 } as const;

export interface NativeProcfs {
  /**
   * @param watches watched paths as raw bytes (latin1 strings): links are matched against them.
   * @param index build the table's open-path index (path-index.ts).
   */
  readFdDir(dir: string, watches?: readonly string[], index?: boolean): RawFdDir;
  socketProtocols(dir: string, fds: Int32Array): Uint8Array;
  readUnixInodes(file: string): Float64Array;
  /** The descriptors whose link is `path` or, with `under`, below it: [fds, raw latin1 link texts]. */
  findFdLinks(dir: string, path: string, under: boolean): [Int32Array, string[]];
  /**
   * The thread walk of one process (/proc/PID/task): each thread not in `skip` (ascending) compared
   * with the process's descriptor count and namespace; null over a bound (more than 65,536 threads),
   * where the TypeScript loop decides. Throws the task folder's own error.
   */
  compareTasks(taskDir: string, fdCount: number, netns: string | null, skip: Int32Array): RawTaskComparison | null;
  /** NETLINK_SOCK_DIAG dump of the caller's network namespace: whole inet_diag_msg records (sock-diag.ts). */
  sockDiagDump(protocol: number, family: number, states: number): Uint8Array;
}

export interface NativeLoad {
  native: NativeProcfs | undefined;
  /** Why the fast path is off ("" when on): for the startup log. */
  reason: string;
}

/** From src/procfs (tests) or dist/src/procfs (as run). */
const CANDIDATES = ['../../native/build/Release/lsof_native.node', '../../../native/build/Release/lsof_native.node'].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

let loaded: NativeLoad | undefined;

/** The addon, loaded once per thread; `LSOF_EXPORTER_NATIVE=0` turns it off (the TypeScript path). */
export function loadNative(): NativeLoad {
  if (loaded) return loaded;
  if (process.env.LSOF_EXPORTER_NATIVE === '0') return (loaded = { native: undefined, reason: 'LSOF_EXPORTER_NATIVE=0' });
  const file = CANDIDATES.find((p) => fs.existsSync(p));
  if (!file) return (loaded = { native: undefined, reason: 'native/build/Release/lsof_native.node not built (no C toolchain at npm ci?)' });
  try {
    return (loaded = { native: createRequire(import.meta.url)(file) as NativeProcfs, reason: '' });
  } catch (err) {
    return (loaded = { native: undefined, reason: `${file}: ${(err as Error).message}` });
  }
}
