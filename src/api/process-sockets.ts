/**
 * The sockets of one process, for the one-process view, from its own network namespace's tables
 * (read through its /proc/PID/net), once per request and only if it holds a socket.
 */
import type { FdType } from '../procfs/fd-target.js';
import { collectUnixPaths } from '../procfs/net-unix-paths.js';
import { decodeProcBytes } from '../procfs/proc-text.js';
import type { Proc, ProcFs } from '../procfs/proc.js';
import { tcpStateName } from '../procfs/tcp-state.js';
import { buildSocketIndex, type IndexedSocket } from '../scan/socket-index.js';
import { SOCKET_PROTOCOL } from '../procfs/native.js';

export interface SocketEndpoint {
  protocol: string;
  family: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: string;
}

export interface SocketTables {
  ip: Map<number, IndexedSocket>;
  /** Unix sockets by inode: the bound path ("" when unnamed), or null when the path was not read. */
  unix: Map<number, string | null>;
}

export interface HeldSocket {
  fd: number;
  inode: number;
}

/**
 * The TCP/UDP tables of the process's namespace (small) in full. A socket in none of them is a unix
 * socket or another kind: the native fast path tells which per descriptor (getxattr), without
 * /proc/net/unix, whose text the kernel takes half a second to write at 150k sockets. That table is
 * read (only the lines of this process's inodes kept) when `unixPaths` asks for the bound paths, or
 * when there is no fast path.
 */
export function readSocketTables(procfs: ProcFs, pid: number, sockets: HeldSocket[], unixPaths: boolean): SocketTables {
  const ip = buildSocketIndex(procfs, new Map([['', [pid]]])).byInode;
  const rest = sockets.filter((s) => !ip.has(s.inode));
  if (rest.length === 0) return { ip, unix: new Map() };
  const proc = procfs.proc(pid);
  const kinds = unixPaths ? null : proc.socketProtocols(Int32Array.from(rest, (s) => s.fd));
  if (!kinds) return { ip, unix: readUnixPaths(proc, new Set(rest.map((s) => s.inode))) };
  return { ip, unix: unixByProtocol(rest, kinds) };
}

function unixByProtocol(sockets: HeldSocket[], kinds: Uint8Array): Map<number, null> {
  return new Map(sockets.filter((_s, i) => kinds[i] === SOCKET_PROTOCOL.unix).map((s) => [s.inode, null]));
}

/** inode -> bound path ("" when unnamed); empty when the table cannot be read. */
function readUnixPaths(proc: Proc, wanted: Set<number>): Map<number, string> {
  const raw = new Map<number, string>();
  try {
    proc.netUnixLines((text) => collectUnixPaths(text, wanted, raw));
  } catch {
    return new Map(); // its sockets then show as socket_other
  }
  return new Map([...raw].map(([inode, path]) => [inode, decodeProcBytes(Buffer.from(path, 'latin1'))]));
}

export function describeSocket(tables: SocketTables, inode: number): { type: FdType; socket: SocketEndpoint | null; unixPath: string | null } {
  const s = tables.ip.get(inode)?.ip;
  if (s) {
    const socket = { protocol: s.protocol, family: s.family, localAddress: s.localAddress, localPort: s.localPort, remoteAddress: s.remoteAddress, remotePort: s.remotePort, state: tcpStateName(s.state) };
    return { type: s.protocol === 'tcp' ? 'socket_tcp' : 'socket_udp', socket, unixPath: null };
  }
  if (!tables.unix.has(inode)) return { type: 'socket_other', socket: null, unixPath: null };
  return { type: 'socket_unix', socket: null, unixPath: tables.unix.get(inode) ?? null };
}
