/**
 * The listening sockets of every network namespace, as cheaply as the exporter's capabilities allow:
 * what the listener poll asks between full scans ("did a new listener appear?").
 *
 *  - The exporter's own namespace (the host's, when run with hostNetwork): NETLINK_SOCK_DIAG asking
 *    for LISTEN / unconnected sockets only (sock-diag.ts); its cost does not grow with connections.
 *  - Every other namespace: its text tables through a member process, /proc/PID/net/*, only those
 *    whose socket count moved, read up to the end of the listeners, at most as often as a CPU budget
 *    allows (text-listeners.ts). A netlink socket answers only for the namespace it was created in,
 *    and entering another one (setns) needs CAP_SYS_ADMIN, which the exporter does not have.
 *
 * Namespaces are told apart without ptrace access, as the scan does: every member of a namespace
 * sees the same /proc/PID/net/tcp inode (src/scan/net-table-identity.ts), and ours is /proc/self's.
 */
import type { IpSocket, IpSocketTable } from './net-ip-socket.js';
import { loadNative, type NativeProcfs } from './native.js';
import type { ProcReader } from './reader.js';
import { readSockDiagListeners } from './sock-diag.js';
import { TextListeners, type TextPlan } from './text-listeners.js';

export type ListenerReadSource = 'sock_diag' | 'proc_text';

export interface NetnsListeners {
  netns: string;
  source: ListenerReadSource;
  /** Listening sockets: TCP in LISTEN, UDP bound and not connected (isListening). */
  sockets: IpSocket[];
  /** Text tables read by this poll (the others' sockets are as last read: their counts did not move). */
  tablesRead: IpSocketTable[];
  seconds: number;
  /** Tables sock_diag refused, each read as text instead: "udp/ipv4: ENOENT: ...". */
  refused: string[];
}

export interface ListenerPoll {
  read: NetnsListeners[];
  /** Namespaces whose changed tables the CPU budget holds back: nothing new from them this time. */
  deferred: { netns: string; dueInMs: number }[];
  /** Namespaces none of whose given member processes could be read (all gone). */
  failed: string[];
  /** Every listening socket, once each (inodes are unique host-wide), with its namespace. */
  listening: { socket: IpSocket; netns: string }[];
}

export interface ListenerSourceOptions {
  /** Average share of one core the text fallback may use, over all namespaces on it (default 0.005). */
  fallbackCpuShare?: number;
  /** Monotonic clock in ms (tests). */
  nowMs?: () => number;
  /** Use the addon's sock_diag for our own namespace when it is built (default true). */
  native?: boolean;
  /** Replaces the addon (tests that make the kernel refuse a table). */
  addon?: NativeProcfs;
}

export const DEFAULT_FALLBACK_CPU_SHARE = 0.005;

interface Member {
  netns: string;
  pid: number;
  /** The namespace's net/tcp inode (see tablesOf). */
  tables: string;
  /** Read through sock_diag: our own namespace, with the addon built. */
  diag: boolean;
}

export class ListenerSource {
  private readonly text: TextListeners;
  private readonly nowMs: () => number;
  /** The addon (sock_diag), or undefined: then every namespace uses the text tables. */
  private readonly native: NativeProcfs | undefined;

  constructor(private readonly reader: ProcReader, options: ListenerSourceOptions = {}) {
    this.native = options.native === false ? undefined : (options.addon ?? loadNative().native);
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.text = new TextListeners(reader, options.fallbackCpuShare ?? DEFAULT_FALLBACK_CPU_SHARE, this.nowMs);
  }

  /**
   * One poll. @param namespaces netns id -> a few member pids (the first readable one is used), as
   * the scan names them; "" (processes placed in no namespace) is read last, so a socket keeps the
   * name of a named namespace.
   */
  poll(namespaces: Map<string, number[]>): ListenerPoll {
    const result: ListenerPoll = { read: [], deferred: [], failed: [], listening: [] };
    const members = this.members(namespaces, result);
    const plans = new Map(members.filter((m) => !m.diag).map((m) => [m.netns, this.text.plan(m.netns, m.pid)]));
    const dueCount = [...plans.values()].filter((p) => p.stale.length > 0).length;
    const seen = new Set<number>();
    for (const m of members) {
      const read = this.readMember(m, plans.get(m.netns), dueCount, result);
      if (!read) continue;
      result.read.push(read);
      for (const socket of read.sockets) {
        if (socket.inode === 0 || seen.has(socket.inode)) continue;
        seen.add(socket.inode);
        result.listening.push({ socket, netns: m.netns });
      }
    }
    this.text.retain(new Set(namespaces.keys()));
    return result;
  }

  /** One readable member per namespace; two names for one namespace (an unreadable ns link) read once. */
  private members(namespaces: Map<string, number[]>, result: ListenerPoll): Member[] {
    const own = this.tablesOf('self');
    const out: Member[] = [];
    const tablesSeen = new Set<string>();
    for (const [netns, pids] of [...namespaces].sort(([a], [b]) => (a === '' ? 1 : 0) - (b === '' ? 1 : 0))) {
      const found = pids.map((pid) => ({ pid, tables: this.tablesOf(pid) })).find((p) => p.tables !== null);
      if (!found) result.failed.push(netns);
      else if (!tablesSeen.has(found.tables!)) {
        tablesSeen.add(found.tables!);
        out.push({ netns, pid: found.pid, tables: found.tables!, diag: found.tables === own && this.native !== undefined });
      }
    }
    return out;
  }

  private readMember(m: Member, plan: TextPlan | undefined, dueCount: number, result: ListenerPoll): NetnsListeners | null {
    try {
      if (m.diag) return this.readOwn(m, this.native!);
      const r = this.text.read(plan!, dueCount);
      if (r.kind === 'read') return { netns: m.netns, source: 'proc_text', sockets: r.sockets, tablesRead: r.tablesRead, seconds: r.seconds, refused: [] };
      result.deferred.push({ netns: m.netns, dueInMs: r.dueInMs });
    } catch {
      result.failed.push(m.netns); // the member exited between stat and read: the next poll retries
    }
    return null;
  }

  /**
   * sock_diag; any table it refused (a kernel without udp_diag, a seccomp filter on netlink) goes
   * through the text fallback with its change detection and budget, like another namespace's.
   */
  private readOwn(m: Member, native: NativeProcfs): NetnsListeners {
    const t0 = this.nowMs();
    const dumps = readSockDiagListeners(native);
    const sockets = dumps.flatMap((t) => t.sockets ?? []);
    const refusedTables = dumps.filter((t) => t.sockets === null);
    let tablesRead: IpSocketTable[] = [];
    if (refusedTables.length) {
      const r = this.text.read(this.text.plan(m.netns, m.pid, refusedTables.map((t) => t.file)), 1);
      sockets.push(...(r.kind === 'read' ? r.sockets : r.known));
      tablesRead = r.kind === 'read' ? r.tablesRead : [];
    }
    const refused = refusedTables.map((t) => `${t.protocol}/${t.family}: ${t.error}`);
    return { netns: m.netns, source: 'sock_diag', sockets, tablesRead, seconds: (this.nowMs() - t0) / 1000, refused };
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
