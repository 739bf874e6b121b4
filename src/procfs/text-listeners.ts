/**
 * The listener poll's text fallback for namespaces sock_diag cannot reach, with its cost bound:
 *
 *  1. Change detection: each poll reads the namespace's sockstat counts (net-sockstat.ts, constant
 *     time); a table is read again only when its count moved since it was last read (a listen(2)
 *     moves it) or it never was. An idle container costs two tiny reads per poll.
 *  2. Early stop: a TCP table is read up to the end of its listeners (net-ip-listeners.ts); its
 *     connections are never printed. The kernel still walks the established hash, which all
 *     namespaces share, to find that end, so a read costs in proportion to the host's connections
 *     at about a tenth of printing them (docs/benchmarks.md "Listener poll"); a table whose count
 *     is 0 is not read at all.
 *  3. A CPU budget (fallback-budget.ts) over all namespaces whose tables are due.
 *
 * Blind spot, covered by the full scan (which reads every table): a listener opened in the same
 * poll interval as another socket of the same table closed leaves the count unchanged.
 */
import { FallbackBudget } from './fallback-budget.js';
import { readTableListeners } from './net-ip-listeners.js';
import { IP_SOCKET_TABLES, type IpSocket, type IpSocketTable } from './net-ip-socket.js';
import { readSocketsInUse, type SocketsInUse } from './net-sockstat.js';
import type { ProcReader } from './reader.js';

interface NetnsState {
  /** The counts sampled just before the tables were last read (null: sockstat unreadable). */
  counts: SocketsInUse | null;
  tables: Map<IpSocketTable, IpSocket[]>;
}

/** The tables of one namespace this poll must read. */
export interface TextPlan {
  netns: string;
  pid: number;
  counts: SocketsInUse | null;
  stale: IpSocketTable[];
}

export type TextRead =
  | { kind: 'read'; sockets: IpSocket[]; tablesRead: IpSocketTable[]; seconds: number }
  /** `known`: the listeners as last read, for callers that show them; nothing new among them. */
  | { kind: 'deferred'; dueInMs: number; known: IpSocket[] };

export class TextListeners {
  private readonly state = new Map<string, NetnsState>();
  private readonly budget: FallbackBudget;

  constructor(private readonly reader: ProcReader, fallbackCpuShare: number, private readonly nowMs: () => number) {
    this.budget = new FallbackBudget(fallbackCpuShare);
  }

  /**
   * Which of `pid`'s tables (of `tables`, default all four) changed since they were read: all of
   * them when sockstat is unreadable.
   */
  plan(netns: string, pid: number, tables: readonly IpSocketTable[] = IP_SOCKET_TABLES.map((t) => t.file)): TextPlan {
    let counts: SocketsInUse | null = null;
    try {
      counts = readSocketsInUse(this.reader, pid);
    } catch {
      // A kernel or procfs without sockstat: every table is stale, the budget alone bounds the cost.
    }
    const last = this.state.get(netns);
    const stale = tables.filter(
      (f) => counts === null || !last?.counts || last.counts[f] !== counts[f] || !last.tables.has(f),
    );
    return { netns, pid, counts, stale };
  }

  /**
   * The namespace's listeners: its stale tables read (budget permitting), the others as last read.
   * @param dueCount namespaces with stale tables in this poll, which share the budget.
   * Throws when the member process is gone mid-read; the state is then left as it was.
   */
  read(plan: TextPlan, dueCount: number): TextRead {
    const last = this.state.get(plan.netns) ?? { counts: null, tables: new Map<IpSocketTable, IpSocket[]>() };
    if (plan.stale.length === 0) return { kind: 'read', sockets: [...last.tables.values()].flat(), tablesRead: [], seconds: 0 };
    const start = this.nowMs();
    if (!this.budget.due(plan.netns, start, dueCount)) {
      return { kind: 'deferred', dueInMs: this.budget.waitMs(plan.netns, start, dueCount), known: [...last.tables.values()].flat() };
    }
    const tables = new Map(last.tables);
    const tablesRead: IpSocketTable[] = [];
    for (const t of IP_SOCKET_TABLES.filter((x) => plan.stale.includes(x.file))) {
      const sockets: IpSocket[] = [];
      // A count of 0: no socket at all in that table, so no listener; not worth a walk of the hash.
      if (plan.counts?.[t.file] !== 0) {
        readTableListeners(this.reader, this.reader.procPath(plan.pid, 'net', t.file), t.protocol, t.family, sockets);
        tablesRead.push(t.file);
      }
      tables.set(t.file, sockets);
    }
    const costMs = this.nowMs() - start;
    this.budget.spent(plan.netns, start, costMs);
    this.state.set(plan.netns, { counts: plan.counts, tables });
    return { kind: 'read', sockets: [...tables.values()].flat(), tablesRead, seconds: costMs / 1000 };
  }

  /** Forget namespaces no longer polled. */
  retain(live: Set<string>): void {
    for (const netns of this.state.keys()) if (!live.has(netns)) this.state.delete(netns);
    this.budget.retain(live);
  }
}
