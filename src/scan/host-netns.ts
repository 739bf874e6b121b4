/**
 * The host's network namespace: that of PID 1 of the procfs we scan (the host init when run with
 * hostPID). Listeners in it are reported with netns="".
 *
 * Reading PID 1's ns/net link needs ptrace access to it, which a hardened init, a sandbox or an
 * exporter without CAP_SYS_PTRACE may lack. Its socket tables stay readable (net-table-identity.ts):
 * a process whose net/tcp is PID 1's and whose link we may read names the namespace; failing that it
 * is "?<tables>", the name the scan gives it too (hidden-netns.ts). Our own namespace is the last
 * resort only, as it is wrong for an exporter in its own netns (a DaemonSet without hostNetwork).
 */
import type { ProcReader } from '../procfs/reader.js';
import { netTableIdentity } from './net-table-identity.js';
import { HIDDEN_NETNS_PREFIX } from './hidden-netns.js';

export function hostNetns(reader: ProcReader): string {
  return (
    netnsOf(reader, reader.procPath(1, 'ns', 'net')) ??
    netnsSharingPid1(reader) ??
    pid1TablesName(reader) ??
    netnsOf(reader, reader.procPath('self', 'ns', 'net')) ??
    ''
  );
}

/** When no process in PID 1's namespace lets us name it, the scan calls it "?<tables>" (hidden-netns.ts). */
function pid1TablesName(reader: ProcReader): string | null {
  const tables = netTableIdentity(reader, 1);
  return tables === null ? null : `${HIDDEN_NETNS_PREFIX}${tables}`;
}

function netnsOf(reader: ProcReader, link: string): string | null {
  try {
    return /^net:\[(\d+)\]$/.exec(reader.readLinkRaw(link))?.[1] ?? null;
  } catch {
    return null; // no ptrace access, or the process is gone: the caller tries the next source
  }
}

function netnsSharingPid1(reader: ProcReader): string | null {
  const pid1Tables = netTableIdentity(reader, 1);
  if (pid1Tables === null) return null;
  for (const pid of reader.listPids()) {
    if (pid === 1 || netTableIdentity(reader, pid) !== pid1Tables) continue;
    const netns = netnsOf(reader, reader.procPath(pid, 'ns', 'net'));
    if (netns) return netns;
  }
  return null;
}
