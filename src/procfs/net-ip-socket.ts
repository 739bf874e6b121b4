/**
 * /proc/net/{tcp,tcp6,udp,udp6} (and /proc/PID/net/* for another network namespace).
 *
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
 *    0: 0100007F:0050 00000000:0000 0A ...                                        0        0 12345
 *
 * Addresses are hex words in host (little-endian on x86/arm) byte order; IPv6 is four such 32-bit
 * words. Ports are big-endian hex. See prometheus/procfs net_ip_socket.go.
 */
export type IpProtocol = 'tcp' | 'udp';
export type IpFamily = 'ipv4' | 'ipv6';

export interface IpSocket {
  protocol: IpProtocol;
  family: IpFamily;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel socket state, e.g. 0x0A = TCP_LISTEN, 0x07 = TCP_CLOSE (an unconnected UDP socket). */
  state: number;
  uid: number;
  inode: number;
}

/** The four tables of /proc/net (and /proc/PID/net) that hold IP sockets. */
export type IpSocketTable = 'tcp' | 'tcp6' | 'udp' | 'udp6';
export const IP_SOCKET_TABLES: readonly { file: IpSocketTable; protocol: IpProtocol; family: IpFamily }[] = [
  { file: 'tcp', protocol: 'tcp', family: 'ipv4' },
  { file: 'tcp6', protocol: 'tcp', family: 'ipv6' },
  { file: 'udp', protocol: 'udp', family: 'ipv4' },
  { file: 'udp6', protocol: 'udp', family: 'ipv6' },
];

export const TCP_LISTEN = 0x0a;
export const TCP_CLOSE = 0x07;

/** Byte order of the machine we run on: the kernel writes addresses in it. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function parseNetIpSockets(text: string, protocol: IpProtocol, family: IpFamily): IpSocket[] {
  const out: IpSocket[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    out.push(parseSocketLine(line, protocol, family));
  }
  return out;
}

/** One data line of a socket table (not the header). */
export function parseSocketLine(line: string, protocol: IpProtocol, family: IpFamily): IpSocket {
  const f = line.split(/\s+/);
  if (f.length < 10) throw new Error(`net/${protocol}: short line "${line.slice(0, 80)}"`);
  const [localHex, localPortHex] = splitAddress(f[1]!);
  const [remoteHex, remotePortHex] = splitAddress(f[2]!);
  const socket: IpSocket = {
    protocol,
    family,
    localAddress: formatAddress(localHex, family),
    localPort: parseInt(localPortHex, 16),
    remoteAddress: formatAddress(remoteHex, family),
    remotePort: parseInt(remotePortHex, 16),
    state: parseInt(f[3]!, 16),
    uid: Number(f[7]),
    inode: Number(f[9]),
  };
  if ([socket.localPort, socket.remotePort, socket.state, socket.uid, socket.inode].some((n) => !Number.isFinite(n))) {
    throw new Error(`net/${protocol}: non-numeric field in "${line.slice(0, 80)}"`);
  }
  return socket;
}

function splitAddress(field: string): [string, string] {
  const colon = field.indexOf(':');
  if (colon < 0) throw new Error(`net: address without port "${field}"`);
  return [field.slice(0, colon), field.slice(colon + 1)];
}

export function formatAddress(hex: string, family: IpFamily): string {
  const want = family === 'ipv4' ? 8 : 32;
  if (hex.length !== want || !/^[0-9A-Fa-f]+$/.test(hex)) throw new Error(`net: bad ${family} address "${hex}"`);
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) bytes.push(...wordBytes(hex.slice(w, w + 8)));
  return family === 'ipv4' ? bytes.join('.') : formatIpv6(bytes);
}

/** One 32-bit word as the kernel printed it (%08X of a host-order u32) -> network-order bytes. */
function wordBytes(word: string): number[] {
  const b = [0, 2, 4, 6].map((i) => parseInt(word.slice(i, i + 2), 16));
  return littleEndian ? b.reverse() : b;
}

/** RFC 5952 text: lower case, longest zero run compressed, IPv4-mapped as ::ffff:a.b.c.d. */
export function formatIpv6(bytes: number[]): string {
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isMapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** A listening socket: TCP in LISTEN, or UDP bound to a port and not connected to a peer. */
export function isListening(s: IpSocket): boolean {
  if (s.protocol === 'tcp') return s.state === TCP_LISTEN;
  return s.state === TCP_CLOSE && s.localPort !== 0 && s.remotePort === 0;
}
