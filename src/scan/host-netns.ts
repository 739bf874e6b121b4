/**
 * The host's network namespace: that of PID 1 of the procfs we scan (the host init when run with
 * hostPID). Listeners in it are reported with netns="".
 *
 * Reading PID 1's ns/net link needs ptrace access to it, which a hardened init or a sandbox may
 * refuse even to root. Its socket tables stay readable, though (see net-table-identity.ts): any process
 * whose net/tcp is PID 1's and whose link we may read names the namespace. Only when that fails too do we fall back to our own namespace, which is wrong for an
 * exporter in its own netns (a DaemonSet without hostNetwork) and is therefore the last resort.
 */
import type { ProcReader } from '../procfs/reader.js';
import { netTableIdentity } from './net-table-identity.js';

export function hostNetns(reader: ProcReader): string {
  return netnsOf(reader, reader.procPath(1, 'ns', 'net')) ?? netnsSharingPid1(reader) ?? netnsOf(reader, reader.procPath('self', 'ns', 'net')) ?? '';
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
