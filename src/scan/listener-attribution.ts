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
 * Past this many candidate processes, or descriptors among them, the search is no cheaper than a
 * scan: give up and let the (rate-limited) full scan answer. An account that opens sockets in a loop
 * thus costs at most this much reading per poll.
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
  const candidates = candidatePids(procfs.listPids(), fresh, known);
  const tooMany = candidates.length > limits.maxProcesses || descriptorsOf(procfs, candidates, known) > limits.maxDescriptors;
  if (tooMany) return { attributed: [], unattributed: [...fresh], processesSearched: 0 };
  const holders = holdersOf(procfs, candidates, new Set(fresh.map((f) => f.socket.inode)));
  const attributed: AttributedListener[] = [];
  const unattributed: PolledListener[] = [];
  for (const f of fresh) {
    const records = (holders.get(f.socket.inode) ?? []).map((pid) => known.get(pid) ?? readRecord(pid)).filter((p): p is ProcessRecord => p !== null);
    if (records.length === 0) unattributed.push(f);
    else attributed.push({ listener: listenerOf(f.socket, f.netns, records.map((p) => p.pid)), holders: records });
  }
  return { attributed, unattributed, processesSearched: candidates.length };
}

/** Known processes of a socket's account (real or effective uid) and namespace, and every newcomer. */
function candidatePids(listed: number[], fresh: readonly PolledListener[], known: ReadonlyMap<number, ProcessRecord>): number[] {
  const wanted = new Set(fresh.map((f) => `${f.socket.uid}/${f.netns}`));
  return listed.filter((pid) => {
    const p = known.get(pid);
    return !p || wanted.has(`${p.euid}/${p.netns}`) || wanted.has(`${p.uid}/${p.netns}`);
  });
}

/** Descriptors the candidates hold: the last scan's count, or the fd folder's size for a newcomer. */
function descriptorsOf(procfs: ProcFs, pids: number[], known: ReadonlyMap<number, ProcessRecord>): number {
  return pids.reduce((n, pid) => n + (known.get(pid)?.fdCount ?? procfs.proc(pid).fdCount() ?? 0), 0);
}

/** inode -> pids holding a descriptor on it, among `pids` (a process that exits meanwhile holds none). */
function holdersOf(procfs: ProcFs, pids: number[], inodes: ReadonlySet<number>): Map<number, number[]> {
  const found = new Map<number, number[]>();
  for (const pid of pids) {
    let socketInodes: Float64Array;
    try {
      socketInodes = procfs.proc(pid).fdTable().socketInodes;
    } catch {
      continue; // exited, or not ours to read: the full scan will count it
    }
    for (const inode of socketInodes) {
      if (!inodes.has(inode)) continue;
      const list = found.get(inode) ?? [];
      if (list[list.length - 1] !== pid) list.push(pid);
      found.set(inode, list);
    }
  }
  return found;
}
