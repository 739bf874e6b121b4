/**
 * Which socket descriptors that are in no TCP/UDP table are unix sockets (the rest are netlink,
 * packet, raw...: "socket_other"). A socket's kind never changes, so each table is asked once, in
 * the scan that read it, and keeps the answer (FdTable.socketProtocols) while it is cached.
 *
 * Two ways to ask, chosen by cost:
 *  - the native fast path asks each socket: getxattr(/proc/PID/fd/N, "system.sockprotoname"), about
 *    3 µs per socket; cheap for the few thousand sockets of the processes a steady scan re-reads;
 *  - otherwise (a cold scan, no addon, or an answer missing) the /proc/net/unix table of each
 *    namespace involved is read: about 1 µs of kernel time per line for every unix socket on the host.
 * getxattr names the socket the descriptor holds now; it runs milliseconds after the readlink, and a
 * descriptor re-used in between can mis-type one socket of a count, never a listener.
 */
import { SOCKET_PROTOCOL } from '../procfs/native.js';
import type { ProcReader } from '../procfs/reader.js';
import type { FdTable } from './fd-table.js';

/** A table read this scan, in the namespace it was read in. */
export interface FreshTable {
  pid: number;
  netns: string;
  table: FdTable;
}

/** Per-socket asking wins while it is cheaper than reading the table: ~3 µs a socket vs ~1 µs a line. */
const ASK_COST_LINES = 4;
/** Before any table was read its size is unknown: below this many sockets asking is surely cheaper. */
const ASK_ALWAYS_BELOW = 1000;

export class UnixSocketClassifier {
  /** Unix sockets in the tables at their last read: the cost of reading them again. */
  private tableLines = 0;

  /**
   * Fill socketProtocols of the fresh tables' sockets that `isIp` does not claim.
   * @param membersByNetns pids per namespace, to read a namespace's table through a live member.
   * @param secondsByNetns time spent reading tables per namespace, added to.
   * @returns namespaces whose table could not be read.
   */
  classify(
    reader: ProcReader,
    fresh: FreshTable[],
    isIp: (inode: number) => boolean,
    membersByNetns: Map<string, number[]>,
    secondsByNetns: Record<string, number>,
  ): number {
    const pending = fresh.filter((f) => unknownSockets(f.table, isIp).length > 0);
    const count = pending.reduce((n, f) => n + unknownSockets(f.table, isIp).length, 0);
    if (count === 0) return 0;
    if (reader.native && count * ASK_COST_LINES < Math.max(ASK_ALWAYS_BELOW * ASK_COST_LINES, this.tableLines)) askEachSocket(reader, pending, isIp);
    const stillUnknown = pending.filter((f) => unknownSockets(f.table, isIp).length > 0);
    return stillUnknown.length ? this.readTables(reader, stillUnknown, isIp, membersByNetns, secondsByNetns) : 0;
  }

  private readTables(
    reader: ProcReader,
    pending: FreshTable[],
    isIp: (inode: number) => boolean,
    membersByNetns: Map<string, number[]>,
    secondsByNetns: Record<string, number>,
  ): number {
    const wanted = new Set<number>();
    for (const f of pending) for (const i of unknownSockets(f.table, isIp)) wanted.add(f.table.socketInodes[i]!);
    const unix = new Set<number>();
    const unreadable = new Set<string>();
    let lines = 0;
    for (const netns of new Set(pending.map((f) => f.netns))) {
      const t0 = performance.now();
      const read = readFirst(reader, membersByNetns.get(netns) ?? [], (inode) => {
        lines++;
        if (wanted.has(inode)) unix.add(inode);
      });
      if (!read) unreadable.add(netns);
      secondsByNetns[netns] = (secondsByNetns[netns] ?? 0) + (performance.now() - t0) / 1000;
    }
    this.tableLines = lines;
    for (const f of pending) {
      for (const i of unknownSockets(f.table, isIp)) {
        const inode = f.table.socketInodes[i]!;
        // A namespace whose table could not be read leaves its sockets unknown (socket_other).
        if (unix.has(inode)) f.table.socketProtocols[i] = SOCKET_PROTOCOL.unix;
        else if (!unreadable.has(f.netns)) f.table.socketProtocols[i] = SOCKET_PROTOCOL.other;
      }
    }
    return unreadable.size;
  }
}

/** Indexes of a table's sockets not yet classified and not TCP/UDP. */
function unknownSockets(table: FdTable, isIp: (inode: number) => boolean): number[] {
  const out: number[] = [];
  const { socketInodes, socketProtocols } = table;
  for (let i = 0; i < socketInodes.length; i++) if (socketProtocols[i] === SOCKET_PROTOCOL.unknown && !isIp(socketInodes[i]!)) out.push(i);
  return out;
}

function askEachSocket(reader: ProcReader, pending: FreshTable[], isIp: (inode: number) => boolean): void {
  for (const { pid, table } of pending) {
    const idx = unknownSockets(table, isIp);
    const answers = reader.native!.socketProtocols(reader.procPath(pid, 'fd'), Int32Array.from(idx, (i) => table.socketFds[i]!));
    idx.forEach((i, k) => (table.socketProtocols[i] = answers[k]!));
  }
}

/**
 * The namespace's /proc/net/unix through the first member whose net folder opens (a member may exit
 * or hide its net folder: the next one is tried).
 */
function readFirst(reader: ProcReader, pids: number[], onInode: (inode: number) => void): boolean {
  for (const pid of pids) {
    const file = reader.procPath(pid, 'net', 'unix');
    try {
      reader.readUnixInodes(file, onInode);
      return true;
    } catch {
      // exited, or hides its net folder: try the next member
    }
  }
  return false;
}
