/**
 * The socket tables of every network namespace in one map: inode -> what it is. Socket inodes are
 * unique host-wide (sockfs), so one map serves all namespaces; each entry remembers its namespace.
 * Each namespace's tables are read once, through one of its member processes' /proc/PID/net/; the
 * exporter's own namespace (the host's, run with hostNetwork) through sock_diag when the native path
 * is on: the same sockets at a fraction of the text's cost, which grows with every connection.
 */
import { isListening, parseNetIpSockets, type IpFamily, type IpProtocol, type IpSocket } from '../procfs/net-ip-socket.js';
import { loadNative, type NativeProcfs } from '../procfs/native.js';
import type { NetIpTable, Proc, ProcFs } from '../procfs/proc.js';
import { readSockDiagTables } from '../procfs/sock-diag.js';

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
  const own = ownNamespace(procfs);
  for (const [netns, pids] of ordered) {
    const t0 = performance.now();
    if (!readNamespace(procfs, netns, pids, index, own)) index.errors++;
    index.secondsByNetns[netns] = (performance.now() - t0) / 1000;
  }
  return index;
}

/** The exporter's own namespace, read through sock_diag: its tables' identity and the addon. */
interface OwnNamespace {
  tables: string;
  addon: NativeProcfs;
}

function ownNamespace(procfs: ProcFs): OwnNamespace | null {
  const addon = procfs.fdTables.native ? loadNative().native : undefined;
  const tables = addon ? procfs.self().netTableIdentity() : null;
  return addon && tables !== null ? { tables, addon } : null;
}

function readNamespace(procfs: ProcFs, netns: string, members: readonly NetnsMember[], index: SocketIndex, own: OwnNamespace | null): boolean {
  for (const member of members) {
    try {
      const proc = memberProc(procfs, member);
      const diag = own && proc.netTableIdentity() === own.tables ? readSockDiagTables(own.addon) : null;
      for (const t of IP_TABLES) {
        // A table the kernel would not dump (no udp_diag, IPv6 off) is read as text, like the others.
        const sockets = diag?.find((d) => d.file === t.file)?.sockets ?? parseNetIpSockets(readOptional(() => proc.netIpTable(t.file), t.file), t.protocol, t.family);
        addIpSockets(index, sockets, t.protocol, netns);
      }
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
