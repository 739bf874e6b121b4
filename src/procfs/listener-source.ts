/**
 * The listening sockets of every network namespace, as cheaply as the exporter's capabilities allow:
 * what the listener poll asks between full scans ("did a new listener appear?").
 *
 *  - The exporter's own namespace (the host's, when run with hostNetwork): NETLINK_SOCK_DIAG asking
 *    for LISTEN / unconnected sockets only (sock-diag.ts); its cost does not grow with connections.
 *  - Every other namespace: its text tables through a member process, /proc/PID/net/* read up to the
 *    end of the listeners (net-ip-listeners.ts), at most as often as a CPU budget allows
 *    (fallback-budget.ts). A netlink socket answers only for the namespace it was created in, and
 *    entering another one (setns) needs CAP_SYS_ADMIN, which the exporter does not have.
 *
 * Namespaces are told apart without ptrace access, as the scan does: every member of a namespace
 * sees the same /proc/PID/net/tcp inode (src/scan/net-table-identity.ts), and ours is /proc/self's.
 */
import { FallbackBudget } from './fallback-budget.js';
import { readNetIpListeners, readTableListeners } from './net-ip-listeners.js';
import type { IpSocket } from './net-ip-socket.js';
import type { NativeProcfs } from './native.js';
import type { ProcReader } from './reader.js';
import { readSockDiagListeners } from './sock-diag.js';

export type ListenerReadSource = 'sock_diag' | 'proc_text';

export interface NetnsListeners {
  netns: string;
  source: ListenerReadSource;
  /** Listening sockets: TCP in LISTEN, UDP bound and not connected (isListening). */
  sockets: IpSocket[];
  seconds: number;
  /** Tables sock_diag refused, each read as text instead: "udp/ipv4: ENOENT: ...". */
  refused: string[];
}

export interface ListenerPoll {
  read: NetnsListeners[];
  /** Namespaces on the text fallback whose budget says "not yet": nothing new from them this time. */
  deferred: { netns: string; dueInMs: number }[];
  /** Namespaces none of whose given member processes could be read (all gone). */
  failed: string[];
  /** Every listening socket read, once each (inodes are unique host-wide), with its namespace. */
  listening: { socket: IpSocket; netns: string }[];
}

export interface ListenerSourceOptions {
  /** Average share of one core the text fallback may use, over all namespaces on it (default 0.005). */
  fallbackCpuShare?: number;
  /** Monotonic clock in ms (tests). */
  nowMs?: () => number;
}

export const DEFAULT_FALLBACK_CPU_SHARE = 0.005;

export class ListenerSource {
  private readonly budget: FallbackBudget;
  private readonly nowMs: () => number;

  /** `reader.native` (the addon) enables sock_diag; without it every namespace uses the text tables. */
  constructor(private readonly reader: ProcReader, options: ListenerSourceOptions = {}) {
    this.budget = new FallbackBudget(options.fallbackCpuShare ?? DEFAULT_FALLBACK_CPU_SHARE);
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /**
   * One poll. @param namespaces netns id -> a few member pids (the first readable one is used), as
   * the scan names them; "" (processes placed in no namespace) is read last, so a socket keeps the
   * name of a named namespace.
   */
  poll(namespaces: Map<string, number[]>): ListenerPoll {
    const own = this.tablesOf('self');
    const members = [...namespaces].sort(([a], [b]) => (a === '' ? 1 : 0) - (b === '' ? 1 : 0)).map(([netns, pids]) => this.member(netns, pids, own));
    const fallbackCount = members.filter((m) => m.pid !== null && !m.own).length;
    const result: ListenerPoll = { read: [], deferred: [], failed: [], listening: [] };
    const seen = new Set<number>();
    const tablesRead = new Set<string>();
    for (const m of members) {
      // Two names for one namespace (one whose ns link we could not read): its tables once.
      if (m.tables !== null && tablesRead.has(m.tables)) continue;
      if (m.tables !== null) tablesRead.add(m.tables);
      const read = this.readMember(m, fallbackCount, result);
      if (!read) continue;
      result.read.push(read);
      for (const socket of read.sockets) {
        if (socket.inode === 0 || seen.has(socket.inode)) continue;
        seen.add(socket.inode);
        result.listening.push({ socket, netns: m.netns });
      }
    }
    this.budget.retain(new Set(namespaces.keys()));
    return result;
  }

  private readMember(m: Member, fallbackCount: number, result: ListenerPoll): NetnsListeners | null {
    if (m.pid === null) {
      result.failed.push(m.netns);
      return null;
    }
    if (m.own && this.reader.native) {
      try {
        return this.readOwn(m.netns, this.reader.native);
      } catch {
        result.failed.push(m.netns); // even our own text table was unreadable (a refusing procfs)
        return null;
      }
    }
    const now = this.nowMs();
    if (!this.budget.due(m.netns, now, fallbackCount)) {
      result.deferred.push({ netns: m.netns, dueInMs: this.budget.waitMs(m.netns, now, fallbackCount) });
      return null;
    }
    try {
      const sockets = readNetIpListeners(this.reader, m.pid);
      const costMs = this.nowMs() - now;
      this.budget.spent(m.netns, now, costMs);
      return { netns: m.netns, source: 'proc_text', sockets, seconds: costMs / 1000, refused: [] };
    } catch {
      result.failed.push(m.netns); // the member exited between stat and read: the next poll retries
      return null;
    }
  }

  /** sock_diag, and the text table of ours for any table it refused. */
  private readOwn(netns: string, native: NativeProcfs): NetnsListeners {
    const t0 = this.nowMs();
    const sockets: IpSocket[] = [];
    const refused: string[] = [];
    for (const t of readSockDiagListeners(native)) {
      if (t.sockets) {
        sockets.push(...t.sockets);
        continue;
      }
      refused.push(`${t.protocol}/${t.family}: ${t.error}`);
      readTableListeners(this.reader, this.reader.procPath('self', 'net', t.file), t.protocol, t.family, sockets);
    }
    return { netns, source: 'sock_diag', sockets, seconds: (this.nowMs() - t0) / 1000, refused };
  }

  /** The first member whose tables can be found, and whether they are ours. */
  private member(netns: string, pids: number[], own: string | null): Member {
    for (const pid of pids) {
      const tables = this.tablesOf(pid);
      if (tables !== null) return { netns, pid, tables, own: tables === own };
    }
    return { netns, pid: null, tables: null, own: false };
  }

  /** The inode of /proc/PID/net/tcp: one per network namespace. */
  private tablesOf(pid: number | 'self'): string | null {
    try {
      return String(this.reader.stat(this.reader.procPath(pid, 'net', 'tcp')).ino);
    } catch {
      return null;
    }
  }
}

interface Member {
  netns: string;
  pid: number | null;
  /** The namespace's net/tcp inode (see tablesOf). */
  tables: string | null;
  own: boolean;
}
