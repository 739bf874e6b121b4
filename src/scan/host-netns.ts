/**
 * The host's network namespace: that of PID 1 of the procfs we scan (the host init when run with
 * hostPID), else our own. Listeners in it are reported with netns="".
 */
import type { ProcReader } from '../procfs/reader.js';

export function hostNetns(reader: ProcReader): string {
  for (const link of [reader.procPath(1, 'ns', 'net'), '/proc/self/ns/net']) {
    try {
      const m = /^net:\[(\d+)\]$/.exec(reader.readLinkRaw(link));
      if (m) return m[1]!;
    } catch {
      // unreadable without ptrace access to PID 1: fall back
    }
  }
  return '';
}
