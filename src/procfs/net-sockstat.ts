/**
 * /proc/PID/net/sockstat and sockstat6: how many sockets of each protocol a network namespace has
 * hashed ("inuse"), per namespace, read in constant time (per-CPU counters, no table walk).
 *
 *   TCP: inuse 5 orphan 0 tw 0 alloc 48 mem 1        (sockstat)
 *   UDP: inuse 0 mem 0
 *   TCP6: inuse 2                                     (sockstat6, absent when IPv6 is off)
 *   UDP6: inuse 1
 *
 * A TCP socket is counted when it is hashed (listen(2), or a connection), a UDP one when bound; so a
 * new listener changes its table's count. The listener poll reads a table of another namespace only
 * when its count moved (listener-source.ts); TIME_WAIT sockets ("tw") are not in "inuse".
 */
import type { IpSocketTable } from './net-ip-socket.js';
import type { ProcReader } from './reader.js';

/** Sockets in use per socket table of /proc/PID/net (keys as the table files are named). */
export type SocketsInUse = Record<IpSocketTable, number>;

const LABELS: Record<string, keyof SocketsInUse> = { TCP: 'tcp', UDP: 'udp', TCP6: 'tcp6', UDP6: 'udp6' };

/** Adds the "inuse" counts of `text` (sockstat or sockstat6) to `into`. */
export function parseSockstat(text: string, into: Partial<SocketsInUse>): void {
  for (const line of text.split('\n')) {
    const m = /^(\w+): inuse (\d+)/.exec(line);
    const key = m ? LABELS[m[1]!] : undefined;
    if (key) into[key] = Number(m![2]);
  }
}

/** Both files of `pid`'s namespace; sockstat6 is absent without IPv6, which is 0 IPv6 sockets. */
export function readSocketsInUse(reader: ProcReader, pid: number): SocketsInUse {
  const counts: Partial<SocketsInUse> = { tcp6: 0, udp6: 0 };
  parseSockstat(reader.readText(reader.procPath(pid, 'net', 'sockstat')), counts);
  try {
    parseSockstat(reader.readText(reader.procPath(pid, 'net', 'sockstat6')), counts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (counts.tcp === undefined || counts.udp === undefined) throw new Error(`${reader.procPath(pid, 'net', 'sockstat')}: no TCP or UDP "inuse" count`);
  return counts as SocketsInUse;
}
