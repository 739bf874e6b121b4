/**
 * The socket tables of every network namespace in one map: inode -> what it is. Socket inodes are
 * unique host-wide (sockfs), so one map serves all namespaces; each entry remembers its namespace.
 * Each namespace's tables are read once, through one of its member processes' /proc/PID/net/.
 */
import { isListening, parseNetIpSockets, type IpFamily, type IpProtocol, type IpSocket } from '../procfs/net-ip-socket.js';
import type { NetIpTable, Proc, ProcFs } from '../procfs/proc.js';

/** A way into a namespace's tables: a pid, or a thread (in a namespace its process is not in). */
export type NetnsMember = number | Proc<number>;

export function memberProc(procfs: ProcFs, member: NetnsMember): Proc<number> {
  return typeof member === 'number' ? procfs.proc(member) : member;
}

export interface IndexedSocket {
  kind: IpProtocol;
  netns: string;
  ip?: IpSocket;
}

const IP_TABLES: { file: NetIpTable; protocol: IpProtocol; family: IpFamily }[] = [
  { file: 'tcp', protocol: 'tcp', family: 'ipv4' },
  { file: 'tcp6', protocol: 'tcp', family: 'ipv6' },
  { file: 'udp', protocol: 'udp', family: 'ipv4' },
  { file: 'udp6', protocol: 'udp', family: 'ipv6' },
];

export interface SocketIndex {
  byInode: Map<number, IndexedSocket>;
  listening: { socket: IpSocket; netns: string }[];
  errors: number;
  /** Wall time of each namespace's tables. */
  secondsByNetns: Record<string, number>;
}

/**
 * The TCP and UDP tables (unix sockets are classified separately, see unix-sockets.ts).
 * @param namespaces netns id -> members living in it (the first readable one is used).
 */
export function buildSocketIndex(procfs: ProcFs, namespaces: ReadonlyMap<string, readonly NetnsMember[]>): SocketIndex {
  const index: SocketIndex = { byInode: new Map(), listening: [], errors: 0, secondsByNetns: {} };
  // netns "" holds processes we could not place in any namespace (see hidden-netns.ts): its table is
  // read last, so a socket already known under a named namespace keeps that name (inodes are unique
  // host-wide).
  const ordered = [...namespaces].sort(([a], [b]) => (a === '' ? 1 : 0) - (b === '' ? 1 : 0));
  for (const [netns, pids] of ordered) {
    const t0 = performance.now();
    if (!readNamespace(procfs, netns, pids, index)) index.errors++;
    index.secondsByNetns[netns] = (performance.now() - t0) / 1000;
  }
  return index;
}

function readNamespace(procfs: ProcFs, netns: string, members: readonly NetnsMember[], index: SocketIndex): boolean {
  for (const member of members) {
    try {
      const proc = memberProc(procfs, member);
      const tables = IP_TABLES.map((t) => ({ t, text: readOptional(() => proc.netIpTable(t.file), t.file) }));
      for (const { t, text } of tables) addIpSockets(index, parseNetIpSockets(text, t.protocol, t.family), t.protocol, netns);
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
function readOptional(read: () => string, table: NetIpTable): string {
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && table.endsWith('6')) return '';
    throw err;
  }
}
