/**
 * The poll's attribution of a new listener (listener-attribution.ts) and the hold that keeps a
 * listener reported after it closed (listener-hold.ts), on a fixture tree: which processes are
 * searched, when the search gives up, and how held listeners are merged with open ones.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { IpSocket } from '../../src/procfs/net-ip-socket.js';
import { attributeListeners, type PolledListener } from '../../src/scan/listener-attribution.js';
import { ListenerHold, withHolders } from '../../src/scan/listener-hold.js';
import { Scanner } from '../../src/scan/scanner.js';
import type { ListenerRecord, ProcessRecord } from '../../src/scan/context.js';
import { makeFakeProc, type FakeProcSpec } from '../support/fake-proc.js';
import { fixtureProcFs } from '../support/fixture-reader.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const NETNS = '4026531840';

function polled(inode: number, uid: number, port = 6667): PolledListener {
  const socket: IpSocket = { protocol: 'tcp', family: 'ipv4', localAddress: '0.0.0.0', localPort: port, remoteAddress: '0.0.0.0', remotePort: 0, state: 10, uid, inode };
  return { socket, netns: NETNS };
}

/** A fixture, its first full scan, and a way to add processes after that scan. */
function scanned(spec: FakeProcSpec) {
  const fx = makeFakeProc(spec);
  dirs.push(fx.dir);
  const procfs = fixtureProcFs(fx);
  const scanner = new Scanner(procfs, { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: false });
  const last = scanner.scan();
  return { fx, procfs, scanner, last };
}

const proc = (pid: number, uid: number, fds: Record<number, string>) => ({ pid, comm: `p${pid}`, uid, exe: `/usr/bin/p${pid}`, netns: NETNS, fds });

describe('attributeListeners', () => {
  it("searches the socket account's processes and the newcomers, and names the holder", () => {
    const { fx, procfs, scanner, last } = scanned({ processes: [proc(10, 0, { 3: '/dev/null' }), proc(11, 33, { 3: '/dev/null' })] });
    // After the scan: process 12 (www-data) opens a listener; root's 10 is not searched for a uid-33 socket.
    makeFakeProcInto(fx, proc(12, 33, { 4: 'socket:[9001]' }));
    const a = attributeListeners(procfs, [polled(9001, 33)], last, (pid) => scanner.readProcessRecord(pid));
    expect(a.unattributed).toEqual([]);
    expect(a.processesSearched).toBe(1); // 12 (new) held it; 11 (uid 33, known) was not needed, 10 (root) never a candidate
    expect(a.attributed.map((x) => [x.listener.port, x.listener.holders, x.holders.map((p) => [p.comm, p.user])])).toEqual([[6667, [12], [['p12', 'www-data']]]]);
  });

  it('leaves a socket no candidate holds to the full scan', () => {
    const { procfs, scanner, last } = scanned({ processes: [proc(10, 0, { 3: 'socket:[1]' })] });
    const a = attributeListeners(procfs, [polled(9002, 0)], last, (pid) => scanner.readProcessRecord(pid));
    expect(a.attributed).toEqual([]);
    expect(a.unattributed.map((u) => u.socket.inode)).toEqual([9002]);
  });

  it('stops at its process or descriptor budget, newcomers first', () => {
    const { fx, procfs, scanner, last } = scanned({ processes: [proc(10, 0, { 3: '/dev/null', 4: '/dev/null' }), proc(11, 0, { 3: 'socket:[9003]' })] });
    const read = (pid: number) => scanner.readProcessRecord(pid);
    // Known root processes 10 then 11: a budget of one process, or of one descriptor, stops after 10.
    expect(attributeListeners(procfs, [polled(9003, 0)], last, read, { maxProcesses: 1, maxDescriptors: 100 }).unattributed).toHaveLength(1);
    expect(attributeListeners(procfs, [polled(9003, 0)], last, read, { maxProcesses: 10, maxDescriptors: 1 }).unattributed).toHaveLength(1);
    expect(attributeListeners(procfs, [polled(9003, 0)], last, read, { maxProcesses: 10, maxDescriptors: 100 }).attributed).toHaveLength(1);
    // A newcomer holding a new socket is searched before the known processes: found within a budget of one.
    makeFakeProcInto(fx, proc(12, 0, { 5: 'socket:[9004]' }));
    const a = attributeListeners(procfs, [polled(9004, 0)], last, read, { maxProcesses: 1, maxDescriptors: 100 });
    expect(a.attributed.map((x) => x.listener.holders)).toEqual([[12]]);
  });

  it.runIf(process.getuid?.() === 0)("reads the newcomers of the socket's account before other newcomers", () => {
    const { fx, procfs, scanner, last } = scanned({ processes: [proc(10, 0, { 3: '/dev/null' })] });
    // A busy host: root newcomers with many descriptors start before www-data's backdoor does.
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [i + 3, '/dev/null']));
    for (const pid of [20, 21, 22]) makeFakeProcInto(fx, proc(pid, 0, many));
    makeFakeProcInto(fx, proc(23, 33, { 4: 'socket:[9005]' }));
    const a = attributeListeners(procfs, [polled(9005, 33)], last, (pid) => scanner.readProcessRecord(pid), { maxProcesses: 1, maxDescriptors: 40 });
    expect(a.attributed.map((x) => [x.listener.holders, x.holders.map((p) => p.user)])).toEqual([[[23], ['www-data']]]);
    expect(a.processesSearched).toBe(1);
  });
});

function makeFakeProcInto(fx: { procfs: string; rootfs: string; dir: string }, p: ReturnType<typeof proc>): void {
  const extra = makeFakeProc({ processes: [p] });
  dirs.push(extra.dir);
  fs.cpSync(`${extra.procfs}/${p.pid}`, `${fx.procfs}/${p.pid}`, { recursive: true, verbatimSymlinks: true });
  if (process.getuid?.() === 0) fs.chownSync(`${fx.procfs}/${p.pid}`, p.uid, p.uid); // cpSync keeps no owner
}

describe('ListenerHold', () => {
  const record = (pid: number): ProcessRecord => ({
    pid, startTime: 1, uid: 0, euid: 0, user: 'root', comm: `p${pid}`, exe: '', exeDeleted: false, cwd: '', exePlacement: null, fdCount: 1, fdTypes: {} as ProcessRecord['fdTypes'], fdLimit: null, netns: NETNS,
    container: { id: '', runtime: '', podUid: '' },
  });
  const listener = (inode: number, port: number, holders: number[]): ListenerRecord => ({ protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port, inode, netns: NETNS, socketUid: 0, holders });

  it('reports a closed listener until its hold time ends, and not beside an open one of the same identity', () => {
    const hold = new ListenerHold(1000);
    hold.saw(withHolders([listener(1, 80, [10]), listener(2, 81, [])], [record(10)]), 0);
    expect(hold.besides([], 999).map((h) => h.listener.inode)).toEqual([1]); // the holderless one is not held
    expect(hold.besides([listener(3, 80, [11])], 999)).toEqual([]); // restarted on its port: the new socket reports it
    expect(hold.besides([], 1000)).toEqual([]);
  });

  it('holds at most its bound, the oldest sighting going first, and counts what it drops', () => {
    const hold = new ListenerHold(1000, 2);
    for (const inode of [1, 2, 3]) hold.saw(withHolders([listener(inode, inode, [10])], [record(10)]), inode);
    expect(hold.besides([], 10).map((h) => h.listener.inode)).toEqual([2, 3]);
    expect(hold.dropped).toBe(1);
  });

  it('holds nothing with a hold time of 0', () => {
    const hold = new ListenerHold(0);
    hold.saw(withHolders([listener(1, 80, [10])], [record(10)]), 0);
    expect(hold.besides([], 0)).toEqual([]);
  });
});
