/**
 * Listening sockets of the exporter's own network namespace from NETLINK_SOCK_DIAG (the native addon's
 * sockDiagDump, native/sock_diag.c): the kernel is asked for TCP sockets in LISTEN and UDP sockets in
 * CLOSE (bound, not connected) only, so it never walks the established hash and the cost does not
 * grow with connections (docs/benchmarks.md "Listener poll").
 *
 * Records are `struct inet_diag_msg` (linux/inet_diag.h), 72 bytes each:
 *
 *   0 family u8 | 1 state u8 | 2 timer u8 | 3 retrans u8
 *   4 sport be16 | 6 dport be16 | 8 src 16 bytes | 24 dst 16 bytes | 40 if u32 | 44 cookie 2 x u32
 *   52 expires | 56 rqueue | 60 wqueue | 64 uid | 68 inode  (u32, host byte order)
 *
 * Addresses and ports are in network byte order; an IPv4 address is the first 4 bytes of its field.
 */
import { formatIpv6, IP_SOCKET_TABLES, isListening, TCP_CLOSE, TCP_LISTEN, type IpFamily, type IpProtocol, type IpSocket, type IpSocketTable } from './net-ip-socket.js';
import type { NativeProcfs } from './native.js';

export const INET_DIAG_MSG_BYTES = 72;

const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO = { tcp: 6, udp: 17 } as const;

/** One dump per table of /proc/net, each asking for the states in which a socket listens. */
export const LISTENER_DUMPS = IP_SOCKET_TABLES.map(({ file, protocol, family }) => ({
  file,
  protocol,
  family,
  states: protocol === 'tcp' ? 1 << TCP_LISTEN : 1 << TCP_CLOSE,
}));

/** Host byte order, in which the kernel writes uid and inode. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Records as sockDiagDump returns them -> sockets, the same shape parseNetIpSockets gives. */
export function parseInetDiagMsgs(bytes: Uint8Array, protocol: IpProtocol): IpSocket[] {
  if (bytes.length % INET_DIAG_MSG_BYTES !== 0) throw new Error(`sock_diag: ${bytes.length} bytes is not a whole number of records`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: IpSocket[] = [];
  // A full scan's dump holds every connection (100k on a busy server) over a handful of addresses:
  // each address is formatted once per dump.
  const addresses = new AddressNames(bytes, view);
  for (let at = 0; at < bytes.length; at += INET_DIAG_MSG_BYTES) out.push(parseRecord(view, at, protocol, addresses));
  return out;
}

function parseRecord(view: DataView, at: number, protocol: IpProtocol, addresses: AddressNames): IpSocket {
  const family = familyOf(view.getUint8(at));
  return {
    protocol,
    family,
    localAddress: addresses.name(at + 8, family),
    localPort: view.getUint16(at + 4, false),
    remoteAddress: addresses.name(at + 24, family),
    remotePort: view.getUint16(at + 6, false),
    state: view.getUint8(at + 1),
    uid: view.getUint32(at + 64, littleEndian),
    inode: view.getUint32(at + 68, littleEndian),
  };
}

/** Address fields (16 bytes, network order) -> their text, formatted once per distinct address. */
class AddressNames {
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string>();

  constructor(private readonly bytes: Uint8Array, private readonly view: DataView) {}

  name(at: number, family: IpFamily): string {
    if (family === 'ipv4') {
      const key = this.view.getUint32(at, false);
      let text = this.v4.get(key);
      if (text === undefined) this.v4.set(key, (text = formatRaw(this.bytes.subarray(at, at + 16), family)));
      return text;
    }
    const key = `${this.view.getUint32(at)},${this.view.getUint32(at + 4)},${this.view.getUint32(at + 8)},${this.view.getUint32(at + 12)}`;
    let text = this.v6.get(key);
    if (text === undefined) this.v6.set(key, (text = formatRaw(this.bytes.subarray(at, at + 16), family)));
    return text;
  }
}

function familyOf(af: number): IpFamily {
  if (af === AF_INET) return 'ipv4';
  if (af === AF_INET6) return 'ipv6';
  throw new Error(`sock_diag: record of address family ${af}`);
}

/** Network-order address bytes as the text tables' parser prints them (formatAddress). */
function formatRaw(field: Uint8Array, family: IpFamily): string {
  return family === 'ipv4' ? Array.from(field.subarray(0, 4)).join('.') : formatIpv6(Array.from(field));
}

export interface SockDiagTable {
  /** The /proc/net table that lists the same sockets: "tcp", "udp6", ... */
  file: IpSocketTable;
  protocol: IpProtocol;
  family: IpFamily;
  /** The listening sockets, or null when the kernel refused this dump. */
  sockets: IpSocket[] | null;
  /** Why it refused (e.g. "ENOENT: ..." when udp_diag is not built), "" when it answered. */
  error: string;
}

/**
 * One dump per table of the caller's network namespace. A refused dump (a kernel without
 * CONFIG_INET_UDP_DIAG answers ENOENT; IPv6 off, EAFNOSUPPORT or an empty answer) is returned as
 * such, for the caller to read that table's text instead; nothing is dropped silently.
 */
export function readSockDiagListeners(native: Pick<NativeProcfs, 'sockDiagDump'>): SockDiagTable[] {
  // The state filter already did it; isListening also drops UDP sockets with no port, as the text path does.
  return dumpTables(native, (d) => d.states, isListening);
}

/**
 * Every state the text tables list: what a full scan's socket index needs (connections too). A TCP
 * socket that is only bound (CLOSE, and the kernel's TCP_BOUND_INACTIVE bit 13 that dumps it) is in
 * no hash /proc/net/tcp walks, so it is left out to give the same sockets on both paths.
 */
export const ALL_STATES = 0xffffffff;
const TCP_STATES_LISTED = ((1 << 13) - 2) & ~(1 << TCP_CLOSE); // ESTABLISHED (1) .. NEW_SYN_RECV (12)
const FULL_SCAN_STATES = { tcp: TCP_STATES_LISTED, udp: ALL_STATES } as const;

/**
 * Every TCP and UDP socket of the caller's network namespace, as /proc/net/{tcp,tcp6,udp,udp6} list
 * them, at a fraction of the text's cost (no kernel formatting, no parsing of 150 bytes a line).
 */
export function readSockDiagTables(native: Pick<NativeProcfs, 'sockDiagDump'>): SockDiagTable[] {
  return dumpTables(native, (d) => FULL_SCAN_STATES[d.protocol] >>> 0, () => true);
}

function dumpTables(native: Pick<NativeProcfs, 'sockDiagDump'>, states: (d: (typeof LISTENER_DUMPS)[number]) => number, keep: (s: IpSocket) => boolean): SockDiagTable[] {
  return LISTENER_DUMPS.map((d) => {
    const { file, protocol, family } = d;
    try {
      const bytes = native.sockDiagDump(IPPROTO[protocol], family === 'ipv4' ? AF_INET : AF_INET6, states(d));
      return { file, protocol, family, sockets: parseInetDiagMsgs(bytes, protocol).filter(keep), error: '' };
    } catch (err) {
      return { file, protocol, family, sockets: null, error: (err as Error).message };
    }
  });
}
