/**
 * The host's network namespace: that of PID 1 of the procfs we scan (the host init when run with
 * hostPID). Listeners in it are reported with netns="".
 *
 * Reading PID 1's ns/net link needs ptrace access to it, which a hardened init, a sandbox or an
 * exporter without CAP_SYS_PTRACE may lack. Its socket tables stay readable (Proc.netTableIdentity):
 * a process whose net/tcp is PID 1's and whose link we may read names the namespace; failing that it
 * is "?<tables>", the name the scan gives it too (hidden-netns.ts). Our own namespace is the last
 * resort only, as it is wrong for an exporter in its own netns (a DaemonSet without hostNetwork).
 */
import type { ProcFs } from '../procfs/proc.js';
import { HIDDEN_NETNS_PREFIX } from './hidden-netns.js';

export function hostNetns(procfs: ProcFs): string {
  return procfs.proc(1).netns() ?? netnsSharingPid1(procfs) ?? pid1TablesName(procfs) ?? procfs.self().netns() ?? '';
}

/** When no process in PID 1's namespace lets us name it, the scan calls it "?<tables>" (hidden-netns.ts). */
function pid1TablesName(procfs: ProcFs): string | null {
  const tables = procfs.proc(1).netTableIdentity();
  return tables === null ? null : `${HIDDEN_NETNS_PREFIX}${tables}`;
}

/** A process sharing PID 1's socket tables whose ns link we may read names the namespace. */
function netnsSharingPid1(procfs: ProcFs): string | null {
  const pid1Tables = procfs.proc(1).netTableIdentity();
  if (pid1Tables === null) return null;
  for (const pid of procfs.listPids()) {
    const proc = procfs.proc(pid);
    if (pid === 1 || proc.netTableIdentity() !== pid1Tables) continue;
    const netns = proc.netns();
    if (netns) return netns;
  }
  return null;
}
