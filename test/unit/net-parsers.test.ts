import { describe, expect, it } from 'vitest';
import { formatAddress, isListening, parseNetIpSockets } from '../../src/procfs/net-ip-socket.js';
import fs from 'node:fs';
import { forEachUnixInode, parseNetUnix } from '../../src/procfs/net-unix.js';

// Real lines from x86_64 (little-endian) kernels.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:C350 0100007F:0050 01 00000000:00000000 00:00000000 00000000  1000        0 12346 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1A0B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 2002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0000000000000000 100 0 0 10 0
   3: B80D0120000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2004 1 0000000000000000 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 3001 2 0000000000000000 0
  101: 0100007F:E000 0100007F:0035 01 00000000:00000000 00:00000000 00000000  1000        0 3002 2 0000000000000000 0
  102: 00000000:0000 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 3003 2 0000000000000000 0
`;

describe('parseNetIpSockets', () => {
  it('decodes IPv4 addresses in kernel byte order and big-endian ports', () => {
    const s = parseNetIpSockets(TCP, 'tcp', 'ipv4');
    expect(s.map((x) => [x.localAddress, x.localPort, x.state, x.uid, x.inode])).toEqual([
      ['127.0.0.1', 80, 0x0a, 33, 12345],
      ['127.0.0.1', 50000, 0x01, 1000, 12346],
      ['0.0.0.0', 6667, 0x0a, 0, 777],
    ]);
    expect(s[1]!.remoteAddress).toBe('127.0.0.1');
    expect(s.map(isListening)).toEqual([true, false, true]);
  });

  it('decodes IPv6 words, compresses zeros and shows IPv4-mapped addresses', () => {
    const s = parseNetIpSockets(TCP6, 'tcp', 'ipv6');
    expect(s.map((x) => `${x.localAddress} ${x.localPort}`)).toEqual(['::1 22', ':: 443', '::ffff:127.0.0.1 8080', '2001:db8::1 80']);
  });

  it('treats bound, unconnected UDP sockets as listening', () => {
    const s = parseNetIpSockets(UDP, 'udp', 'ipv4');
    expect(s.map(isListening)).toEqual([true, false, false]);
    expect(s[0]).toMatchObject({ protocol: 'udp', localAddress: '0.0.0.0', localPort: 53, uid: 101, inode: 3001 });
  });

  it('accepts a header-only table', () => {
    expect(parseNetIpSockets(TCP.split('\n')[0]!, 'tcp', 'ipv4')).toEqual([]);
  });

  it.each([
    ['short line', `h\n   0: 0100007F:0050 00000000:0000 0A\n`],
    ['bad address length', `h\n   0: 0100007:0050 00000000:0000 0A 0:0 0:0 0 0 0 1\n`],
    ['non-hex address', `h\n   0: 0100ZZ7F:0050 00000000:0000 0A 0:0 0:0 0 0 0 1\n`],
    ['missing port', `h\n   0: 0100007F 00000000:0000 0A 0:0 0:0 0 0 0 1\n`],
  ])('rejects %s', (_n, text) => {
    expect(() => parseNetIpSockets(text, 'tcp', 'ipv4')).toThrow(/net/);
  });

  it('formats well-known IPv6 shapes (RFC 5952)', () => {
    expect(formatAddress('00000000000000000000000000000000', 'ipv6')).toBe('::');
    expect(formatAddress('B80D0120000000000000000001000000', 'ipv6')).toBe('2001:db8::1');
    expect(formatAddress('B80D0120010000000000000001000000', 'ipv6')).toBe('2001:db8:0:1::1');
    expect(formatAddress('000080FE00000000FF000002030201FE', 'ipv6')).toBe('fe80::200:ff:fe01:203');
  });
});

describe('parseNetUnix', () => {
  it('reads inodes and paths, including paths with spaces and abstract names', () => {
    const text = `Num       RefCount Protocol Flags    Type St Inode Path
0000000066604e48: 00000003 00000000 00000000 0001 03  1052
00000000b7fe302f: 00000002 00000000 00010000 0001 01  1053 /run/my socket.sock
00000000b7fe3030: 00000002 00000000 00010000 0001 01  1054 @abstract
`;
    expect(parseNetUnix(text)).toEqual([
      { inode: 1052, path: '' },
      { inode: 1053, path: '/run/my socket.sock' },
      { inode: 1054, path: '@abstract' },
    ]);
  });
  it('rejects a garbled line', () => {
    expect(() => parseNetUnix('header\nnot a unix line\n')).toThrow(/net\/unix/);
  });
});

describe('forEachUnixInode', () => {
  it('yields the inode of every line, whatever the path holds', () => {
    const text = `Num       RefCount Protocol Flags    Type St Inode Path
0000000066604e48: 00000003 00000000 00000000 0001 03  1052
00000000b7fe302f: 00000002 00000000 00010000 0001 01  1053 /run/my socket 99.sock
00000000b7fe3030: 00000002 00000000 00010000 0001 01  1054 @abstract
`;
    const inodes: number[] = [];
    forEachUnixInode(text, (i) => inodes.push(i));
    expect(inodes).toEqual([1052, 1053, 1054]);
  });
  it('reads a table handed over in pieces of whole lines', () => {
    const header = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
    const inodes: number[] = [];
    forEachUnixInode(header + '0000000066604e48: 00000003 00000000 00000000 0001 03  1052\n', (i) => inodes.push(i));
    forEachUnixInode('00000000b7fe302f: 00000002 00000000 00010000 0001 01  1053 @x\n', (i) => inodes.push(i));
    expect(inodes).toEqual([1052, 1053]);
  });
  it('agrees with the strict parser on the real /proc/net/unix', () => {
    const text = fs.readFileSync('/proc/net/unix', 'latin1');
    const inodes: number[] = [];
    forEachUnixInode(text, (i) => inodes.push(i));
    expect(inodes).toEqual(parseNetUnix(text).map((u) => u.inode));
  });
});
