/**
 * Network namespaces of the processes whose ns/net link we may not read (an exporter without
 * CAP_SYS_PTRACE, or a hardened process such as some inits). Without this they would all share the
 * key "" and only one of their namespaces' socket tables would be read: listeners in the others,
 * which are readable, would be missed. Matching their socket tables' identity instead, a process in a
 * namespace some readable process is in takes that namespace's inode; one no readable process is in
 * gets "?<net/tcp inode>", so that each such namespace is still read once and kept apart.
 */
import type { ProcFs } from '../procfs/proc.js';

export const HIDDEN_NETNS_PREFIX = '?';

/** Fills in `netns` of the processes that have "". Costs one stat per namespace and per such process. */
export function resolveHiddenNetns(procfs: ProcFs, processes: { pid: number; netns: string }[]): void {
  const hidden = processes.filter((p) => p.netns === '');
  if (hidden.length === 0) return;
  const known = knownTables(procfs, processes);
  for (const p of hidden) {
    const tables = procfs.proc(p.pid).netTableIdentity();
    if (tables !== null) p.netns = known.get(tables) ?? `${HIDDEN_NETNS_PREFIX}${tables}`;
  }
}

/** net/tcp inode -> namespace inode, from one member of each namespace we could name. */
function knownTables(procfs: ProcFs, processes: { pid: number; netns: string }[]): Map<string, string> {
  const known = new Map<string, string>();
  const done = new Set<string>();
  for (const p of processes) {
    if (p.netns === '' || done.has(p.netns)) continue;
    const tables = procfs.proc(p.pid).netTableIdentity();
    if (tables === null) continue; // exited: another member will do
    known.set(tables, p.netns);
    done.add(p.netns);
  }
  return known;
}
