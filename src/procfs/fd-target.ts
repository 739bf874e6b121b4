/**
 * What a /proc/PID/fd/N link points at, from its text alone (proc(5), "/proc/pid/fd/"):
 *   socket:[INODE]  pipe:[INODE]  anon_inode:[eventfd] / anon_inode:inotify ...  /path  /path (deleted)
 * Sockets are split further once the socket tables are known (see scan/socket-index.ts).
 */
import { splitDeletedSuffix } from './deleted-link.js';

export const FD_TYPES = [
  'file',
  'device',
  'socket_tcp',
  'socket_udp',
  'socket_unix',
  'socket_other',
  'pipe',
  'anon_eventfd',
  'anon_eventpoll',
  'anon_inotify',
  'anon_timerfd',
  'anon_signalfd',
  'anon_other',
  'other',
  /** memfd_create(2): anonymous memory, not a file on a disk (never a deleted file). */
  'memfd',
  /** Open, but its link could not be read (ENAMETOOLONG: a path longer than PATH_MAX). */
  'unreadable',
] as const;
export type FdType = (typeof FD_TYPES)[number];

export type FdTarget =
  | { kind: 'socket'; inode: number }
  | { kind: 'path'; path: string; deletedSuffix: boolean; device: boolean }
  | { kind: 'simple'; type: FdType };

const ANON_TYPES: Record<string, FdType> = {
  eventfd: 'anon_eventfd',
  eventpoll: 'anon_eventpoll',
  inotify: 'anon_inotify',
  timerfd: 'anon_timerfd',
  signalfd: 'anon_signalfd',
};

/** The kernel's name of a memfd's file: "/memfd:NAME (deleted)". */
export const MEMFD_PREFIX = '/memfd:';

export function classifyFdTarget(target: string): FdTarget {
  if (target.startsWith(MEMFD_PREFIX)) return { kind: 'simple', type: 'memfd' };
  if (target.startsWith('/')) return classifyPath(target);
  if (target.startsWith('socket:[')) {
    const inode = Number(target.slice(8, -1));
    return Number.isInteger(inode) ? { kind: 'socket', inode } : { kind: 'simple', type: 'socket_other' };
  }
  if (target.startsWith('pipe:[')) return { kind: 'simple', type: 'pipe' };
  if (target.startsWith('anon_inode:')) {
    const name = target.slice(11).replace(/^\[(.*)\]$/, '$1');
    return { kind: 'simple', type: ANON_TYPES[name] ?? 'anon_other' };
  }
  return { kind: 'simple', type: 'other' };
}

/** `deletedSuffix` only makes the fd a candidate (deleted-link.ts): the scan confirms with stat. */
function classifyPath(target: string): FdTarget {
  const { path, suffixed: deletedSuffix } = splitDeletedSuffix(target);
  const device = path.startsWith('/dev/') && !path.startsWith('/dev/shm/') && !path.startsWith('/dev/mqueue/');
  return { kind: 'path', path, deletedSuffix, device };
}

export function emptyFdTypeCounts(): Record<FdType, number> {
  return Object.fromEntries(FD_TYPES.map((t) => [t, 0])) as Record<FdType, number>;
}
