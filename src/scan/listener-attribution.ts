/**
 * Who holds a listening socket the poll has just seen, without a full scan: the socket's uid and
 * namespace narrow the search to the processes of that account in that namespace, plus the processes
 * the last scan did not know (a backdoor is usually new). Only those descriptor tables are read, and
 * only while the search stays small; a socket it cannot attribute (its creator passed it to another
 * account, or too many candidates) is left to the next full scan, which the poll then asks for.
 */
import type { IpSocket } from '../procfs/net-ip-socket.js';
import type { ProcFs } from '../procfs/proc.js';
import type { HeldListener, ProcessRecord, ScanContext } from './context.js';
import { listenerOf } from './joins.js';

export interface PolledListener {
  socket: IpSocket;
  netns: string;
}

/** The holders' records are the last scan's, or read now for a process it did not have. */
export type AttributedListener = HeldListener;

export interface Attribution {
  attributed: AttributedListener[];
  /** Sockets no candidate held (or the search gave up): the next full scan will say who holds them. */
  unattributed: PolledListener[];
  processesSearched: number;
}

/**
 * Past this many processes searched, or descriptors read, the search is no cheaper than a scan: it
 * stops, and the sockets still without a holder wait for the (rate-limited) full scan. An account
 * that opens sockets in a loop thus costs at most this much reading per poll.
 */
export const ATTRIBUTION_LIMITS = { maxProcesses: 256, maxDescriptors: 50_000 };

/**
 * @param readRecord a process the last scan did not have, read now (Scanner.readProcessRecord)
 */
export function attributeListeners(
  procfs: ProcFs,
  fresh: readonly PolledListener[],
  last: ScanContext,
  readRecord: (pid: number) => ProcessRecord | null,
  limits = ATTRIBUTION_LIMITS,
): Attribution {
  const known = new Map(last.processes.map((p) => [p.pid, p]));
  const search = new BudgetedSearch(procfs, new Set(fresh.map((f) => f.socket.inode)), limits);
  const { newcomers, ofAccount } = candidatePids(procfs.listPids(), fresh, known);
  // The newcomers owned by a socket's account first and all of them (a new service's forked workers
  // share its socket; ownership is a stat of /proc/PID each, no read). Then the account's known
  // processes whose descriptor count moved since the scan (a listen() adds one: a stat of the fd
  // folder each), then its other known processes, then the other newcomers (a socket passed to, or
  // created before a setuid by, another account), each only while a socket lacks a holder. A busy
  // host's many unrelated newcomers thus cannot spend the budget before the account's are read.
  const uids = new Set(fresh.map((f) => f.socket.uid));
  // Highest pid first: the newest process is the likeliest holder of a socket that just appeared
  // (pids grow until they wrap), so a budget spent on older newcomers misses it less often.
  newcomers.reverse();
  const newcomersOfAccount = newcomers.filter((pid) => uids.has(procfs.proc(pid).ownerUid() ?? -1));
  const ofAccountSet = new Set(newcomersOfAccount);
  search.through(newcomersOfAccount, () => true);
  const moved = ofAccount.filter((pid) => procfs.proc(pid).fdCount() !== known.get(pid)!.fdCount);
  const movedSet = new Set(moved);
  search.through(moved, () => search.missing() > 0);
  search.through(ofAccount.filter((pid) => !movedSet.has(pid)), () => search.missing() > 0);
  search.through(newcomers.filter((pid) => !ofAccountSet.has(pid)), () => search.missing() > 0);
  const attributed: AttributedListener[] = [];
  const unattributed: PolledListener[] = [];
  for (const f of fresh) {
    const records = (search.found.get(f.socket.inode) ?? []).map((pid) => known.get(pid) ?? readRecord(pid)).filter((p): p is ProcessRecord => p !== null);
    if (records.length === 0) unattributed.push(f);
    else attributed.push({ listener: listenerOf(f.socket, f.netns, records.map((p) => p.pid)), holders: records });
  }
  return { attributed, unattributed, processesSearched: search.processes };
}

/** The processes the last scan did not have, and its known processes of a socket's account (real or effective uid) and namespace. */
function candidatePids(listed: number[], fresh: readonly PolledListener[], known: ReadonlyMap<number, ProcessRecord>): { newcomers: number[]; ofAccount: number[] } {
  const wanted = new Set(fresh.map((f) => `${f.socket.uid}/${f.netns}`));
  const newcomers: number[] = [];
  const ofAccount: number[] = [];
  for (const pid of listed) {
    const p = known.get(pid);
    if (!p) newcomers.push(pid);
    else if (wanted.has(`${p.euid}/${p.netns}`) || wanted.has(`${p.uid}/${p.netns}`)) ofAccount.push(pid);
  }
  return { newcomers, ofAccount };
}

/** Reads descriptor tables for the wanted inodes until they are all found or the budget is spent. */
class BudgetedSearch {
  /** inode -> pids holding a descriptor on it (a process that exits meanwhile holds none). */
  readonly found = new Map<number, number[]>();
  processes = 0;
  private descriptors = 0;

  constructor(private readonly procfs: ProcFs, private readonly inodes: ReadonlySet<number>, private readonly limits: typeof ATTRIBUTION_LIMITS) {}

  missing(): number {
    return this.inodes.size - this.found.size;
  }

  through(pids: readonly number[], goOn: () => boolean): void {
    for (const pid of pids) {
      if (!goOn() || this.processes >= this.limits.maxProcesses || this.descriptors >= this.limits.maxDescriptors) return;
      this.read(pid);
    }
  }

  private read(pid: number): void {
    let table;
    try {
      table = this.procfs.proc(pid).fdTable();
    } catch {
      return; // exited, or not ours to read: the full scan will count it
    }
    this.processes++;
    this.descriptors += table.count;
    for (const inode of table.socketInodes) {
      if (!this.inodes.has(inode)) continue;
      const list = this.found.get(inode) ?? [];
      if (list[list.length - 1] !== pid) list.push(pid);
      this.found.set(inode, list);
    }
  }
}
