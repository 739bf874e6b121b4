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
import type { FdTable } from '../procfs/fd-table.js';
import type { ProcFs } from '../procfs/proc.js';
import { memberProc, type NetnsMember } from './socket-index.js';
import { sortedHas } from '../procfs/sorted-has.js';

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
   * @param membersByNetns members (pids, threads) per namespace, to read a namespace's table through a live member.
   * @param secondsByNetns time spent reading tables per namespace, added to.
   * @returns namespaces whose table could not be read.
   */
  classify(
    procfs: ProcFs,
    fresh: FreshTable[],
    isIp: (inode: number) => boolean,
    membersByNetns: ReadonlyMap<string, readonly NetnsMember[]>,
    secondsByNetns: Record<string, number>,
  ): number {
    let pending = withUnknownSockets(fresh, isIp);
    const count = pending.reduce((n, p) => n + p.unknown.length, 0);
    if (count === 0) return 0;
    if (procfs.fdTables.native && count * ASK_COST_LINES < Math.max(ASK_ALWAYS_BELOW * ASK_COST_LINES, this.tableLines)) {
      askEachSocket(procfs, pending);
      pending = withUnknownSockets(pending, isIp);
    }
    return pending.length ? this.readTables(procfs, pending, membersByNetns, secondsByNetns) : 0;
  }

  /**
   * Each involved namespace's table, sorted, and a binary search per unknown socket: a cold scan
   * classifies 150k sockets against 150k lines without two 150k-entry hash sets.
   */
  private readTables(procfs: ProcFs, pending: Pending[], membersByNetns: ReadonlyMap<string, readonly NetnsMember[]>, secondsByNetns: Record<string, number>): number {
    const unreadable = new Set<string>();
    let lines = 0;
    for (const netns of new Set(pending.map((p) => p.netns))) {
      const t0 = performance.now();
      const table = readFirst(procfs, membersByNetns.get(netns) ?? []);
      secondsByNetns[netns] = (secondsByNetns[netns] ?? 0) + (performance.now() - t0) / 1000;
      if (!table) {
        unreadable.add(netns); // its sockets stay unknown (socket_other) while the table is cached
        continue;
      }
      lines += table.length;
      table.sort();
      for (const { table: t, unknown } of pending.filter((p) => p.netns === netns)) {
        for (const i of unknown) t.socketProtocols[i] = sortedHas(table, t.socketInodes[i]!) ? SOCKET_PROTOCOL.unix : SOCKET_PROTOCOL.other;
      }
    }
    this.tableLines = lines;
    return unreadable.size;
  }
}

/** A fresh table with the indexes of its sockets still to classify. */
interface Pending extends FreshTable {
  unknown: number[];
}

function withUnknownSockets(tables: FreshTable[], isIp: (inode: number) => boolean): Pending[] {
  return tables.map((t) => ({ ...t, unknown: unknownSockets(t.table, isIp) })).filter((p) => p.unknown.length > 0);
}


/** Indexes of a table's sockets not yet classified and not TCP/UDP. */
function unknownSockets(table: FdTable, isIp: (inode: number) => boolean): number[] {
  const out: number[] = [];
  const { socketInodes, socketProtocols } = table;
  for (let i = 0; i < socketInodes.length; i++) if (socketProtocols[i] === SOCKET_PROTOCOL.unknown && !isIp(socketInodes[i]!)) out.push(i);
  return out;
}

function askEachSocket(procfs: ProcFs, pending: Pending[]): void {
  for (const { pid, table, unknown } of pending) {
    const answers = procfs.proc(pid).socketProtocols(Int32Array.from(unknown, (i) => table.socketFds[i]!));
    if (answers) unknown.forEach((i, k) => (table.socketProtocols[i] = answers[k]!));
  }
}

/**
 * The namespace's /proc/net/unix through the first member whose net folder opens (a member may exit
 * or hide its net folder: the next one is tried).
 */
function readFirst(procfs: ProcFs, members: readonly NetnsMember[]): Float64Array | undefined {
  for (const member of members) {
    try {
      return memberProc(procfs, member).netUnixInodes();
    } catch {
      // exited, or hides its net folder: try the next member
    }
  }
  return undefined;
}
