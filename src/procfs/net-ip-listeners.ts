/**
 * Listening sockets from the text tables /proc/PID/net/{tcp,tcp6,udp,udp6}: the way to see another
 * network namespace's listeners without CAP_SYS_ADMIN (sock-diag.ts explains why netlink cannot).
 *
 * The kernel prints a TCP table's listening hash first, then the established hash (tcp_get_idx in
 * net/ipv4/tcp_ipv4.c: listening_get_idx, then established_get_idx), so the first line in any other
 * state ends the listeners; we stop reading there, and the kernel, which generates a seq file one
 * page per read(2), never prints the connections, which is most of a table's cost. To find where
 * the listeners end it still walks the established hash, which every namespace shares, up to the
 * first socket of this namespace and family; where there is none (an idle namespace, a tcp6 table
 * on an IPv4 host) that is the whole hash (docs/benchmarks.md "Listener poll"). UDP has no such
 * order and is read whole; hosts hold few UDP sockets.
 */
import { isListening, parseSocketLine, TCP_LISTEN, type IpFamily, type IpProtocol, type IpSocket } from './net-ip-socket.js';
import type { ProcReader } from './reader.js';

/**
 * Adds the listening sockets among `text`'s whole lines (headers skipped) to `out`. Returns false
 * once a TCP line shows a socket past the listening hash: the table holds no listener after it.
 */
export function parseListeningLines(text: string, protocol: IpProtocol, family: IpFamily, out: IpSocket[]): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('sl ')) continue;
    const socket = parseSocketLine(line, protocol, family);
    if (protocol === 'tcp' && socket.state !== TCP_LISTEN) return false;
    if (isListening(socket)) out.push(socket);
  }
  return true;
}

/** One table; tcp6/udp6 are absent when IPv6 is disabled, which is an empty table, not an error. */
export function readTableListeners(reader: ProcReader, file: string, protocol: IpProtocol, family: IpFamily, out: IpSocket[]): void {
  try {
    reader.readLines(file, (text) => parseListeningLines(text, protocol, family, out));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && family === 'ipv6') return;
    throw err;
  }
}
