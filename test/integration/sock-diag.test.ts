/**
 * The listener poll's reads on the real kernel: NETLINK_SOCK_DIAG in our own namespace and the text
 * tables (read up to the end of the listeners) in a namespace the test makes with unshare, against
 * the full /proc/net tables and ss, with established connections present that must not appear.
 * Speed is the bench's business (docs/benchmarks.md "Listener poll"); here only what is read.
 *
 * CI builds the native addon (scripts/install-system-deps installs the toolchain): its absence fails
 * the first test below; the tests that need it are skipped then, saying so in their names.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenerSource, type ListenerPoll } from '../../src/procfs/listener-source.js';
import { loadNative, type NativeProcfs } from '../../src/procfs/native.js';
import { IP_SOCKET_TABLES, parseNetIpSockets, TCP_CLOSE, TCP_LISTEN, type IpSocket } from '../../src/procfs/net-ip-socket.js';
import { ProcReader } from '../../src/procfs/reader.js';
import { parseInetDiagMsgs, readSockDiagListeners, readSockDiagTables } from '../../src/procfs/sock-diag.js';
import { started, startNodeListener, type HeldChild } from '../support/children.js';
import { netnsOfPid, nodeTcpListenerArgv, startInNamespace } from '../support/netns-children.js';
import {
  keyOf,
  removeListenersBinary,
  socketInodes,
  ssListeners,
  startListeners,
  startListenersInNamespace,
  textTableListeners,
  type ListenersChild,
} from '../support/listener-fixture.js';
import type { NamespacedChild } from '../support/netns-children.js';

const PAIRS = 2000;
const native = loadNative();
const addon = native.native;
const needsAddon = addon ? '' : ` (skipped: ${native.reason})`;

const sortByInode = (sockets: IpSocket[]) => [...sockets].sort((a, b) => a.inode - b.inode);
const ownedBy = (sockets: IpSocket[], inodes: Set<number>) => sortByInode(sockets.filter((s) => inodes.has(s.inode)));
const allDumped = (n: Pick<NativeProcfs, 'sockDiagDump'>) => readSockDiagListeners(n).flatMap((t) => t.sockets ?? []);

/** A node TCP listener on 127.0.0.1 joining the network namespace of `pid` (nsenter: we are root). */
function startInNamespaceOf(pid: number): Promise<HeldChild> {
  const child = spawn('nsenter', ['-t', String(pid), '-n', ...nodeTcpListenerArgv(0)], { stdio: ['pipe', 'pipe', 'pipe'] });
  return started(child, 'listener joining a namespace');
}

/** A ProcReader that records how many bytes of each file readLines handed out. */
class CountingReader extends ProcReader {
  readonly bytes = new Map<string, number>();
  override readLines(file: string, onLines: (text: string) => void | boolean): void {
    super.readLines(file, (text) => {
      this.bytes.set(file, (this.bytes.get(file) ?? 0) + text.length);
      return onLines(text);
    });
  }
}

afterAll(removeListenersBinary);

describe('sock_diag', () => {
  it('is in the native addon (npm ci builds it when python3, make and g++ are present)', () => {
    expect(native.reason).toBe('');
    expect(typeof addon?.sockDiagDump).toBe('function');
  });

  describe.skipIf(!addon)(`in our own network namespace${needsAddon}`, () => {
    let child: ListenersChild;
    let inodes: Set<number>;
    beforeAll(async () => {
      child = await startListeners(PAIRS);
      inodes = socketInodes(child.pid);
    });
    afterAll(() => child?.stop());

    it('lists every listening socket of a process as it opened them: v4, v6, v4-mapped, a specific address, SO_REUSEPORT pairs, UDP', () => {
      const mine = ownedBy(allDumped(addon!), inodes);
      expect(mine.map(keyOf).sort()).toEqual(child.expected);
      expect(child.expected).toHaveLength(9);
      expect(new Set(mine.map((s) => s.inode)).size).toBe(mine.length); // a REUSEPORT pair is two sockets
      for (const s of mine) expect(s.uid).toBe(0);
    });

    it('agrees field for field with the listening lines of /proc/net/{tcp,tcp6,udp,udp6}', () => {
      expect(ownedBy(allDumped(addon!), inodes)).toEqual(ownedBy(textTableListeners('self'), inodes));
    });

    it('agrees with ss -ltnup on address, port, inode and holder', () => {
      const ss = ssListeners().filter((s) => inodes.has(s.inode)).sort((a, b) => a.inode - b.inode);
      const ours = ownedBy(allDumped(addon!), inodes);
      expect(ss.map((s) => `${s.protocol} ${s.address} ${s.port} ${s.inode}`)).toEqual(ours.map((s) => `${s.protocol} ${s.localAddress} ${s.localPort} ${s.inode}`));
      for (const s of ss) expect(s.pids).toEqual([child.pid]);
    });

    it('leaves out established connections, connected and unbound UDP and bound-only TCP', () => {
      const dumped = allDumped(addon!);
      const listening = new Set(dumped.map((s) => s.inode));
      const others = [...inodes].filter((i) => !listening.has(i));
      // 2 x PAIRS connection ends, a connected and an unbound UDP socket, a bound-only TCP socket.
      expect(others.length).toBeGreaterThanOrEqual(2 * PAIRS + 3);
      for (const s of dumped) {
        if (s.protocol === 'tcp') expect(s.state).toBe(TCP_LISTEN);
        else expect([s.state, s.remotePort]).toEqual([TCP_CLOSE, 0]);
      }
    });

    it('leaves them out by the kernel\'s state filter: asked for every state, the same dump holds the connections', () => {
      const every = parseInetDiagMsgs(addon!.sockDiagDump(6, 2, 0xffffffff), 'tcp');
      const established = every.filter((s) => inodes.has(s.inode) && s.state === 1);
      expect(established.length).toBe(2 * PAIRS);
    });

    it("gives a full scan's tables (every state) field for field as /proc/net/{tcp,tcp6,udp,udp6} do", () => {
      const text = IP_SOCKET_TABLES.flatMap((t) => parseNetIpSockets(fs.readFileSync(`/proc/self/net/${t.file}`, 'latin1'), t.protocol, t.family));
      const dumped = readSockDiagTables(addon!);
      expect(dumped.map((t) => t.error)).toEqual(['', '', '', '']);
      const mine = ownedBy(dumped.flatMap((t) => t.sockets!), inodes);
      expect(mine.length).toBeGreaterThanOrEqual(2 * PAIRS + 9); // connections and listeners alike
      expect(mine).toEqual(ownedBy(text, inodes)); // the fixture's bound-only TCP socket in neither
    });

    it('reports the owner uid of each socket', async () => {
      const nobody = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1', uid: 65534, gid: 65534 });
      try {
        const mine = ownedBy(allDumped(addon!), socketInodes(nobody.pid));
        expect(mine.map((s) => [s.localPort, s.uid])).toEqual([[nobody.port, 65534]]);
      } finally {
        await nobody.stop();
      }
    });

    it('throws one-line errno errors: a protocol without a diag handler, arguments out of range', () => {
      expect(() => addon!.sockDiagDump(99, 2, 1)).toThrow(expect.objectContaining({ code: 'ENOENT', message: expect.stringMatching(/^ENOENT: .*sock_diag dump of protocol 99 family 2$/) }));
      expect(() => addon!.sockDiagDump(256, 2, 1)).toThrow(RangeError);
      expect(() => addon!.sockDiagDump(-1, 2, 1)).toThrow(RangeError);
    });

    it('a table the kernel refuses is read through the text fallback instead, and said so', () => {
      // As a kernel without CONFIG_INET_UDP_DIAG answers: ENOENT for every UDP dump.
      const noUdpDiag: NativeProcfs = {
        ...addon!,
        sockDiagDump: (protocol, family, states) => (protocol === 17 ? addon!.sockDiagDump(99, family, states) : addon!.sockDiagDump(protocol, family, states)),
      };
      const poll = new ListenerSource(new ProcReader('/proc'), { addon: noUdpDiag }).poll(new Map([['own', [process.pid]]]));
      expect(poll.read.map((r) => [r.source, r.refused.map((x) => x.slice(0, 18))])).toEqual([['sock_diag', ['udp/ipv4: ENOENT: ', 'udp/ipv6: ENOENT: ']]]);
      expect(poll.read[0]!.tablesRead).toEqual(['udp', 'udp6']); // through the text fallback: the child holds both
      expect(ownedBy(poll.read[0]!.sockets, inodes)).toEqual(ownedBy(allDumped(addon!), inodes));
    });
  });

  describe('in a network namespace of the test\'s own (the text fallback)', () => {
    let ns: ListenersChild & NamespacedChild;
    let inodes: Set<number>;
    beforeAll(async () => {
      ns = await startListenersInNamespace(PAIRS);
      inodes = socketInodes(ns.hostPid);
    });
    afterAll(() => ns?.stop());

    const namespaces = () => new Map([[netnsOfPid(process.pid), [process.pid]], [ns.netns, [ns.hostPid]]]);

    it('reads our namespace through sock_diag and the other through its text tables', () => {
      const poll = new ListenerSource(new ProcReader('/proc')).poll(namespaces());
      const source = Object.fromEntries(poll.read.map((r) => [r.netns === ns.netns ? 'theirs' : 'ours', r.source]));
      expect(source).toEqual({ ours: addon ? 'sock_diag' : 'proc_text', theirs: 'proc_text' });
      expect(poll.failed).toEqual([]);
    });

    it('finds every listener the fixture opened, wildcards and dual-stack included, as the full tables and ss in that namespace do', () => {
      const poll = new ListenerSource(new ProcReader('/proc')).poll(namespaces());
      const theirs = poll.read.find((r) => r.netns === ns.netns)!.sockets;
      expect(sortByInode(theirs).map(keyOf).sort()).toEqual(ns.expected);
      expect(ns.expected).toHaveLength(12);
      expect(sortByInode(theirs)).toEqual(sortByInode(textTableListeners(ns.hostPid)));
      const ss = ssListeners(ns.hostPid).sort((a, b) => a.inode - b.inode);
      expect(ss.map((s) => `${s.protocol} ${s.address} ${s.port} ${s.inode}`)).toEqual(sortByInode(theirs).map((s) => `${s.protocol} ${s.localAddress} ${s.localPort} ${s.inode}`));
      for (const s of theirs) expect(inodes.has(s.inode)).toBe(true);
      expect(poll.listening.filter((l) => l.netns === ns.netns)).toHaveLength(12);
    });

    it('stops reading a TCP table where the listeners end: the connections are never generated', () => {
      const reader = new CountingReader('/proc', '/');
      new ListenerSource(reader, { native: false }).poll(new Map([[ns.netns, [ns.hostPid]]]));
      const tcp = reader.bytes.get(`/proc/${ns.hostPid}/net/tcp`)!;
      const whole = execFileSync('cat', [`/proc/${ns.hostPid}/net/tcp`]).length;
      expect(whole).toBeGreaterThan(2 * PAIRS * 150); // every connection end is a 150-byte line
      // The header, 6 listeners, and at most the one page the kernel was filling when the listeners ended.
      expect(tcp).toBeLessThanOrEqual(8 * 150 + 4096);
    });

    it('reads a namespace\'s tables again only when their socket count moved, then as the CPU budget allows; our own every time', async () => {
      let t = 0;
      const clock = () => (t += 1); // every read "costs" 1 ms
      const source = new ListenerSource(new ProcReader('/proc'), { fallbackCpuShare: 0.01, nowMs: clock });
      const theirs = (p: ListenerPoll) => p.read.find((r) => r.netns === ns.netns);
      const first = source.poll(namespaces());
      expect(theirs(first)!.tablesRead).toEqual(['tcp', 'tcp6', 'udp', 'udp6']);
      // Nothing changed: nothing read, the same listeners, and our own namespace dumped again.
      const second = source.poll(namespaces());
      expect(theirs(second)!.tablesRead).toEqual([]);
      expect(sortByInode(theirs(second)!.sockets)).toEqual(sortByInode(theirs(first)!.sockets));
      expect(second.read.find((r) => r.netns !== ns.netns)?.source).toBe(addon ? 'sock_diag' : 'proc_text');
      // A new listener in the namespace moves the tcp count; read at t=1..2 (1 ms) with one namespace
      // due, at 1% of a core, the tables may be read again at t = 1 + 1 / 0.01 = 101.
      const late = await startInNamespaceOf(ns.hostPid);
      try {
        const third = source.poll(namespaces());
        expect(third.deferred.map((d) => d.netns)).toEqual([ns.netns]);
        expect(third.deferred[0]!.dueInMs).toBeGreaterThan(90);
        t = 200;
        const fourth = source.poll(namespaces());
        expect(theirs(fourth)!.tablesRead).toEqual(['tcp']);
        expect(theirs(fourth)!.sockets.map((s) => s.localPort)).toContain(late.port);
      } finally {
        await late.stop();
      }
    });

    it('does not read a table whose namespace has no socket of its kind (sockstat says 0)', async () => {
      const lone = await startInNamespace(nodeTcpListenerArgv(0));
      try {
        const reader = new CountingReader('/proc', '/');
        const poll = new ListenerSource(reader, { native: false }).poll(new Map([[lone.netns, [lone.hostPid]]]));
        expect(poll.read.map((r) => [r.tablesRead, r.sockets.map((x) => x.localPort)])).toEqual([[['tcp'], [lone.port]]]);
        expect([...reader.bytes.keys()]).toEqual([`/proc/${lone.hostPid}/net/tcp`]);
      } finally {
        await lone.stop();
      }
    });

    it('reports a namespace whose members are all gone as failed, not as empty', () => {
      const poll = new ListenerSource(new ProcReader('/proc')).poll(new Map([['gone', [2 ** 30]]]));
      expect(poll).toEqual({ read: [], deferred: [], failed: ['gone'], listening: [] });
    });
  });
});
