/**
 * The socket tables of every network namespace in one map: inode -> what it is. Socket inodes are
 * unique host-wide (sockfs), so one map serves all namespaces; each entry remembers its namespace.
 * Each namespace's tables are read once, through one of its member processes' /proc/PID/net/.
 */
import { isListening, parseNetIpSockets, type IpFamily, type IpProtocol, type IpSocket } from '../procfs/net-ip-socket.js';
import { parseNetUnix } from '../procfs/net-unix.js';
import type { ProcReader } from '../procfs/reader.js';

export interface IndexedSocket {
  kind: 'tcp' | 'udp' | 'unix';
  netns: string;
  ip?: IpSocket;
}

const IP_TABLES: { file: string; protocol: IpProtocol; family: IpFamily }[] = [
  { file: 'tcp', protocol: 'tcp', family: 'ipv4' },
  { file: 'tcp6', protocol: 'tcp', family: 'ipv6' },
  { file: 'udp', protocol: 'udp', family: 'ipv4' },
  { file: 'udp6', protocol: 'udp', family: 'ipv6' },
];

export interface SocketIndex {
  byInode: Map<number, IndexedSocket>;
  listening: { socket: IpSocket; netns: string }[];
  errors: number;
}

/**
 * @param namespaces netns id -> pids living in it (the first readable one is used).
 * @param withUnix also read net/unix (needed to type fds; the fast listener poll skips it).
 */
export function buildSocketIndex(reader: ProcReader, namespaces: Map<string, number[]>, withUnix = true): SocketIndex {
  const index: SocketIndex = { byInode: new Map(), listening: [], errors: 0 };
  // A process whose ns/net link we may not read has netns "": its table is read last, so a socket
  // already known under a named namespace keeps that name (inodes are unique host-wide).
  const ordered = [...namespaces].sort(([a], [b]) => (a === '' ? 1 : 0) - (b === '' ? 1 : 0));
  for (const [netns, pids] of ordered) {
    if (!readNamespace(reader, netns, pids, index, withUnix)) index.errors++;
  }
  return index;
}

function readNamespace(reader: ProcReader, netns: string, pids: number[], index: SocketIndex, withUnix: boolean): boolean {
  for (const pid of pids) {
    try {
      const tables = IP_TABLES.map((t) => ({ t, text: readOptional(reader, reader.procPath(pid, 'net', t.file)) }));
      const unixText = withUnix ? readOptional(reader, reader.procPath(pid, 'net', 'unix')) : '';
      for (const { t, text } of tables) addIpSockets(index, parseNetIpSockets(text, t.protocol, t.family), t.protocol, netns);
      for (const u of parseNetUnix(unixText)) if (!index.byInode.has(u.inode)) index.byInode.set(u.inode, { kind: 'unix', netns });
      return true;
    } catch {
      // This member exited or hid its net folder; try the next one in the same namespace.
    }
  }
  return false;
}

function addIpSockets(index: SocketIndex, sockets: IpSocket[], kind: IpProtocol, netns: string): void {
  for (const s of sockets) {
    // inode 0: a socket being torn down (TIME_WAIT and friends), not held by any descriptor.
    if (s.inode === 0 || index.byInode.has(s.inode)) continue;
    index.byInode.set(s.inode, { kind, netns, ip: s });
    if (isListening(s)) index.listening.push({ socket: s, netns });
  }
}

/** tcp6/udp6 are absent when IPv6 is disabled: that is an empty table, not an error. */
function readOptional(reader: ProcReader, file: string): string {
  try {
    return reader.readText(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && /6$/.test(file)) return '';
    throw err;
  }
}
