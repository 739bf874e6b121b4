/**
 * The listener poll bench's machinery at a tiny size: the established load holds its connections
 * (in our namespace or one of its own) and leaves none behind; every read of the section finds the
 * load's listeners, the exporter runs at its default flags, and the report prints every row.
 * Nothing is timed.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatListenerPoll, listenerPollBench, listenerPollVerdicts } from '../../bench/listener-poll.js';
import { compileHelpers, runPollFloor, type Binaries } from '../../bench/tools.js';
import { EstablishedLoad, Workload } from '../../bench/workload.js';
import { TCP_LISTEN } from '../../src/procfs/net-ip-socket.js';
import { netnsOfPid } from '../support/netns-children.js';
import { socketInodes, textTableListeners } from '../support/listener-fixture.js';
import { IP_SOCKET_TABLES, parseNetIpSockets } from '../../src/procfs/net-ip-socket.js';

let bin: Binaries;

beforeAll(() => {
  bin = compileHelpers();
});

afterAll(() => {
  if (bin) fs.rmSync(bin.dir, { recursive: true, force: true });
});

/** Established TCP sockets among those `pid` holds, from its namespace's tables. */
function establishedHeldBy(pid: number): number {
  const held = socketInodes(pid);
  const all = IP_SOCKET_TABLES.filter((t) => t.protocol === 'tcp').flatMap((t) => parseNetIpSockets(fs.readFileSync(`/proc/${pid}/net/${t.file}`, 'latin1'), t.protocol, t.family));
  return all.filter((s) => held.has(s.inode) && s.state === 1).length;
}

describe('established load', () => {
  it('holds N established sockets (both ends of N / 2 connections) and one listener, and is gone after stop', async () => {
    const load = await EstablishedLoad.start(bin.workload, 600);
    const pid = load.pids[0]!;
    try {
      expect(load.pids).toHaveLength(1);
      expect(establishedHeldBy(pid)).toBe(600);
      expect(textTableListeners(pid).filter((s) => socketInodes(pid).has(s.inode)).map((s) => s.state)).toEqual([TCP_LISTEN]);
    } finally {
      await load.stop();
    }
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('is part of the workload with --established, started and stopped with it', async () => {
    const load = new Workload(bin.workload, { processes: 1, fdsPerProcess: 20, listenEvery: 1, nobodyEvery: 2, established: 200 });
    await load.startAll();
    const before = new Set(fs.readdirSync('/proc'));
    try {
      const held = [...before].filter((p) => /^\d+$/.test(p) && !load.pids().has(Number(p))).map(Number).filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('established');
        } catch {
          return false;
        }
      });
      expect(held.map(establishedHeldBy)).toContain(200);
    } finally {
      await load.stopAll();
    }
  });

  it('puts every process of a netns load in one namespace of its own', async () => {
    const load = await EstablishedLoad.start(bin.workload, 0, { netns: true });
    try {
      expect(netnsOfPid(load.pids[0]!)).not.toBe(netnsOfPid(process.pid));
    } finally {
      await load.stop();
    }
  });
});

describe('listener poll section', () => {
  it('the sock_diag floor lists what the tables list as listening', () => {
    const floor = runPollFloor(bin, ['diag'], 0);
    expect(floor.rounds).toBeGreaterThanOrEqual(3);
    const inodes = new Set(floor.sockets.map((s) => Number(s.split(' ')[3])));
    const mine = textTableListeners('self').filter((s) => s.inode !== 0);
    // Listeners come and go on a shared host: every one present in both reads must agree.
    expect(mine.filter((s) => inodes.has(s.inode)).length).toBeGreaterThan(0);
  });

  it('finds the load\'s listeners through every read, runs the exporter, and prints every row', async () => {
    const r = await listenerPollBench(bin, 400, () => {}, { minSeconds: 0, exporterSeconds: 2 });
    expect(r.phases.map((p) => p.missing)).toEqual([[], []]);
    const text = formatListenerPoll(r).join('\n');
    for (const row of ['sock_diag_floor_c', 'proc_tcp_c', 'poll_sock_diag', 'whole_tables_ts', 'own_netns_changed', 'idle_netns_unchanged', 'netns_changed', 'netns_unchanged']) {
      expect(text).toContain(`| ${row} |`);
    }
    expect(text).toMatch(/^exporter at default flags on the busy host, no churn: [\d.]+% of a core over 2 s$/m);
    expect(r.exporter!.coreShare).toBeGreaterThan(0);
    expect(listenerPollVerdicts(r).map((v) => v.line.split(':')[0])).toEqual([
      expect.stringMatching(/^(PASS|FAIL) exporter CPU at default flags with 400 established sockets <= 5% of a core$/),
      expect.stringMatching(/^(PASS|FAIL) listener read with 400 established sockets/),
      'PASS listener poll cross-check',
    ]);
  }, 120_000);
});
