import { describe, expect, it } from 'vitest';
import { FallbackBudget } from '../../src/procfs/fallback-budget.js';
import { parseListeningLines } from '../../src/procfs/net-ip-listeners.js';
import type { IpSocket } from '../../src/procfs/net-ip-socket.js';
import { parseSockstat } from '../../src/procfs/net-sockstat.js';
import { INET_DIAG_MSG_BYTES, parseInetDiagMsgs } from '../../src/procfs/sock-diag.js';

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One struct inet_diag_msg as the kernel writes it (linux/inet_diag.h). */
function record(r: { family: number; state: number; sport: number; dport: number; src: number[]; dst: number[]; uid: number; inode: number }): Uint8Array {
  const bytes = new Uint8Array(INET_DIAG_MSG_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, r.family);
  view.setUint8(1, r.state);
  view.setUint16(4, r.sport, false);
  view.setUint16(6, r.dport, false);
  bytes.set(r.src, 8);
  bytes.set(r.dst, 24);
  view.setUint32(64, r.uid, littleEndian);
  view.setUint32(68, r.inode, littleEndian);
  return bytes;
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const zeros = (n: number) => Array<number>(n).fill(0);

describe('parseInetDiagMsgs', () => {
  it('decodes IPv4 records: network-order address and ports, host-order uid and inode', () => {
    const bytes = record({ family: 2, state: 10, sport: 8080, dport: 0, src: [127, 0, 0, 1], dst: zeros(4), uid: 65534, inode: 4_000_000_001 });
    expect(parseInetDiagMsgs(bytes, 'tcp')).toEqual([
      { protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort: 8080, remoteAddress: '0.0.0.0', remotePort: 0, state: 10, uid: 65534, inode: 4_000_000_001 },
    ]);
  });

  it('decodes IPv6 records the way the text tables are printed: compressed, v4-mapped as ::ffff:a.b.c.d', () => {
    const loop6 = [...zeros(15), 1];
    const mapped = [...zeros(10), 0xff, 0xff, 127, 0, 0, 1];
    const doc = [0x20, 0x01, 0x0d, 0xb8, ...zeros(11), 1];
    const bytes = concat(
      record({ family: 10, state: 7, sport: 53, dport: 0, src: loop6, dst: zeros(16), uid: 0, inode: 1 }),
      record({ family: 10, state: 7, sport: 54, dport: 0, src: mapped, dst: zeros(16), uid: 0, inode: 2 }),
      record({ family: 10, state: 7, sport: 55, dport: 0, src: doc, dst: zeros(16), uid: 0, inode: 3 }),
    );
    expect(parseInetDiagMsgs(bytes, 'udp').map((s) => `${s.protocol} ${s.family} ${s.localAddress} ${s.localPort} ${s.remoteAddress}`)).toEqual([
      'udp ipv6 ::1 53 ::',
      'udp ipv6 ::ffff:127.0.0.1 54 ::',
      'udp ipv6 2001:db8::1 55 ::',
    ]);
  });

  it('reads records out of a view that does not start at its buffer\'s beginning', () => {
    const one = record({ family: 2, state: 10, sport: 22, dport: 0, src: [10, 0, 0, 1], dst: zeros(4), uid: 0, inode: 9 });
    const padded = concat(new Uint8Array(8), one).subarray(8);
    expect(parseInetDiagMsgs(padded, 'tcp').map((s) => [s.localAddress, s.localPort, s.inode])).toEqual([['10.0.0.1', 22, 9]]);
  });

  it('returns nothing for an empty dump', () => {
    expect(parseInetDiagMsgs(new Uint8Array(0), 'tcp')).toEqual([]);
  });

  it('rejects a partial record and an unknown address family', () => {
    expect(() => parseInetDiagMsgs(new Uint8Array(INET_DIAG_MSG_BYTES + 1), 'tcp')).toThrow(/73 bytes is not a whole number of records/);
    const bad = record({ family: 1, state: 10, sport: 1, dport: 0, src: zeros(4), dst: zeros(4), uid: 0, inode: 1 });
    expect(() => parseInetDiagMsgs(bad, 'tcp')).toThrow(/address family 1/);
  });
});

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 12345 1 0000000000000000 100 0 0 10 0
   1: 00000000:1A0B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
   2: 0100007F:C350 0100007F:0050 01 00000000:00000000 00:00000000 00000000  1000        0 12346 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:C351 0100007F:0050 01 00000000:00000000 00:00000000 00000000  1000        0 12347 1 0000000000000000 20 4 30 10 -1
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 3001 2 0000000000000000 0
  101: 0100007F:E000 0100007F:0035 01 00000000:00000000 00:00000000 00000000  1000        0 3002 2 0000000000000000 0
  102: 00000000:0000 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 3003 2 0000000000000000 0
  103: 0100007F:0036 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 3004 2 0000000000000000 0
`;

describe('parseListeningLines', () => {
  it('keeps the listening TCP lines and says "stop" at the first line past them', () => {
    const out: IpSocket[] = [];
    expect(parseListeningLines(TCP, 'tcp', 'ipv4', out)).toBe(false);
    expect(out.map((s) => [s.localPort, s.inode])).toEqual([[80, 12345], [6667, 777]]);
  });

  it('says "go on" for a piece of a TCP table holding only listeners, without its header', () => {
    const out: IpSocket[] = [];
    const piece = TCP.split('\n').slice(1, 3).join('\n') + '\n';
    expect(parseListeningLines(piece, 'tcp', 'ipv4', out)).toBe(true);
    expect(out).toHaveLength(2);
  });

  it('reads a UDP table whole, keeping sockets bound to a port and not connected', () => {
    const out: IpSocket[] = [];
    expect(parseListeningLines(UDP, 'udp', 'ipv4', out)).toBe(true);
    expect(out.map((s) => s.inode)).toEqual([3001, 3004]);
  });

  it('rejects a broken line with the parser\'s one-line error', () => {
    expect(() => parseListeningLines('   0: 0100007F:0050\n', 'tcp', 'ipv4', [])).toThrow(/net\/tcp: short line/);
  });
});

describe('FallbackBudget', () => {
  it('allows a first read at once', () => {
    expect(new FallbackBudget(0.01).due('ns', 0, 1)).toBe(true);
  });

  it('spaces reads so that cost / interval stays at the share, split over the namespaces on the fallback', () => {
    const b = new FallbackBudget(0.01);
    b.spent('ns', 1000, 2); // a 2 ms read at t = 1 s
    expect(b.waitMs('ns', 1000, 1)).toBe(200);
    expect(b.due('ns', 1199, 1)).toBe(false);
    expect(b.due('ns', 1200, 1)).toBe(true);
    // With 5 namespaces on the fallback each gets a fifth of the share.
    expect(b.waitMs('ns', 1000, 5)).toBe(1000);
  });

  it('forgets namespaces no longer polled', () => {
    const b = new FallbackBudget(0.01);
    b.spent('gone', 0, 50);
    b.retain(new Set(['other']));
    expect(b.due('gone', 1, 1)).toBe(true);
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => new FallbackBudget(0)).toThrow(/fallback CPU share must be in \(0, 1\], got 0/);
    expect(() => new FallbackBudget(1.5)).toThrow(/got 1.5/);
  });
});

describe('parseSockstat', () => {
  it('takes the "inuse" count of TCP, UDP, TCP6 and UDP6, and nothing else', () => {
    const counts = {};
    parseSockstat('sockets: used 190\nTCP: inuse 11 orphan 0 tw 51 alloc 11 mem 158\nUDP: inuse 2 mem 0\nUDPLITE: inuse 7\nRAW: inuse 1\nFRAG: inuse 0 memory 0\n', counts);
    parseSockstat('TCP6: inuse 3\nUDP6: inuse 0\nUDPLITE6: inuse 9\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n', counts);
    expect(counts).toEqual({ tcp: 11, udp: 2, tcp6: 3, udp6: 0 });
  });

  it('ignores lines it does not know', () => {
    const counts = {};
    parseSockstat('garbage\nTCP: orphan 3\n', counts);
    expect(counts).toEqual({});
  });
});
