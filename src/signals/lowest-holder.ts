/**
 * The holder a file shared by several processes is counted under: the one with the lowest pid
 * (usually the parent of a worker pool), so summing a per-group family over all groups gives the host
 * total with no double counting.
 */
import type { ProcessRecord } from '../scan/context.js';

export function lowestPidHolder(pids: Iterable<number>, byPid: ReadonlyMap<number, ProcessRecord>): ProcessRecord | undefined {
  let best: ProcessRecord | undefined;
  for (const pid of pids) {
    const p = byPid.get(pid);
    if (p && (!best || p.pid < best.pid)) best = p;
  }
  return best;
}
