/**
 * The joins of a scan, by socket inode (unique host-wide): descriptors to listening sockets (who
 * holds each listener), and socket descriptors to their kind (TCP, UDP, unix, other).
 */
import type { IpSocket } from '../procfs/net-ip-socket.js';
import { SOCKET_PROTOCOL } from '../procfs/native.js';
import type { ListenerRecord } from './context.js';
import type { LiveProcess } from './descriptors.js';
import type { NetnsMember, SocketIndex } from './socket-index.js';
import { tablesOf } from './tasks.js';

/** Listening TCP/UDP sockets with the pids holding a descriptor on each. */
export function findListeners(live: readonly LiveProcess[], index: SocketIndex): ListenerRecord[] {
  const holders = new Map<number, number[]>();
  for (const { socket } of index.listening) holders.set(socket.inode, []);
  for (const p of live) {
    for (const table of tablesOf(p)) {
      for (const inode of table.socketInodes) {
        const h = holders.get(inode);
        if (h && h[h.length - 1] !== p.record.pid) h.push(p.record.pid);
      }
    }
  }
  return index.listening.map(({ socket, netns }) => listenerOf(socket, netns, holders.get(socket.inode) ?? []));
}

/** The record of a listening socket of namespace `netns` held by `holders` (pids). */
export function listenerOf(socket: IpSocket, netns: string, holders: readonly number[]): ListenerRecord {
  return {
    protocol: socket.protocol,
    family: socket.family,
    address: socket.localAddress,
    port: socket.localPort,
    inode: socket.inode,
    netns,
    socketUid: socket.uid,
    holders,
  };
}

/** The orphans no table of `live` holds. */
export function stillHolderless(live: readonly LiveProcess[], orphans: ListenerRecord[]): ListenerRecord[] {
  const open = new Set(orphans.map((o) => o.inode));
  for (const p of live) for (const table of tablesOf(p)) for (const inode of table.socketInodes) open.delete(inode);
  return orphans.filter((o) => open.has(o.inode));
}

/** Each process's descriptor counts by type, sockets typed by the index or their protocol. */
export function typeSockets(live: readonly LiveProcess[], index: SocketIndex): void {
  for (const p of live) {
    const types = p.record.fdTypes;
    for (const k of Object.keys(types) as (keyof typeof types)[]) types[k] = 0;
    for (const table of tablesOf(p)) {
      for (const [k, n] of Object.entries(table.nonSocket) as [keyof typeof types, number][]) types[k] += n;
      const { socketInodes, socketProtocols } = table;
      for (let i = 0; i < socketInodes.length; i++) {
        const s = index.byInode.get(socketInodes[i]!);
        types[s ? (`socket_${s.kind}` as const) : socketProtocols[i] === SOCKET_PROTOCOL.unix ? 'socket_unix' : 'socket_other']++;
      }
    }
  }
}

/**
 * netns -> members (pids, or the handle of a thread in a namespace of its own), so each namespace's
 * tables are read once.
 */
export function namespaceMembers(live: readonly LiveProcess[]): Map<string, NetnsMember[]> {
  const m = new Map<string, NetnsMember[]>();
  const add = (netns: string, member: NetnsMember) => {
    const list = m.get(netns);
    if (list) list.push(member);
    else m.set(netns, [member]);
  };
  for (const p of live) {
    add(p.record.netns, p.proc.tid === null ? p.record.pid : p.proc);
    for (const t of p.tasks ?? []) if (t.netns !== null) add(t.netns, t.proc);
  }
  return m;
}
