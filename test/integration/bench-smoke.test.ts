/**
 * The bench's own machinery at a tiny size (3 processes x 20 fds): the workload generator starts,
 * churns and cleans up; every tool's findings are parsed and agree with the workload; and a listener
 * opened without changing the fd count is still attributed through a warm cache; brief listeners are
 * caught by the real exporter's poll. Nothing is timed but the lives of those listeners.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareFindings, expectedFindings, exporterFindings, floorFindings, lsofFindings, ssFindings } from '../../bench/cross-check.js';
import { compileHelpers, runMeasured, type Binaries } from '../../bench/tools.js';
import { briefListenerCatch } from '../../bench/exporter-bench.js';
import { NOBODY_UID, Workload } from '../../bench/workload.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { Scanner } from '../../src/scan/scanner.js';

const ALL = { listeners: true, deleted: true };
let bin: Binaries;
let load: Workload;

beforeAll(async () => {
  bin = compileHelpers();
  load = new Workload(bin.workload, { processes: 3, fdsPerProcess: 20, listenEvery: 2, nobodyEvery: 2 });
  await load.startAll();
}, 30_000);

afterAll(async () => {
  await load?.stopAll();
  if (bin) fs.rmSync(bin.dir, { recursive: true, force: true });
});

describe('bench workload and cross-check', () => {
  it('starts processes with listeners, a deleted file each, and one running as nobody', () => {
    const want = expectedFindings(load);
    expect(load.live).toHaveLength(3);
    expect(want.listeners.size).toBe(8); // slots 0 and 2: tcp/udp x v4/v6
    expect(want.deleted.size).toBe(3);
    expect(load.live.filter((p) => p.uid === NOBODY_UID)).toHaveLength(1);
  });

  it('the exporter, the C floor, lsof and ss all find what the workload holds', async () => {
    const want = expectedFindings(load);
    const pids = load.pids();
    const floor = await runMeasured(bin, bin.floor, []);
    const lsof = await runMeasured(bin, 'lsof', ['-n', '-P']);
    const lsofI = await runMeasured(bin, 'lsof', ['-n', '-P', '-i']);
    const ss = await runMeasured(bin, 'ss', ['-ltnup']);
    const snapshot = new Scanner(ProcFs.at('/proc')).scan();
    expect(compareFindings('exporter', exporterFindings(snapshot, pids), want, ALL)).toEqual([]);
    expect(compareFindings('floor', floorFindings(floor.stdout, pids), want, ALL)).toEqual([]);
    expect(compareFindings('lsof', lsofFindings(lsof.stdout, pids), want, ALL)).toEqual([]);
    expect(compareFindings('lsof -i', lsofFindings(lsofI.stdout, pids), want, { listeners: true, deleted: false })).toEqual([]);
    expect(compareFindings('ss', ssFindings(ss.stdout, pids), want, { listeners: true, deleted: false })).toEqual([]);
    expect(floor.cpuSeconds).toBeGreaterThanOrEqual(0);
  });

  it('reports a disagreement when a tool misses something', () => {
    const want = expectedFindings(load);
    const empty = { listeners: new Set<string>(), deleted: new Set<string>() };
    expect(compareFindings('none', empty, want, ALL)).toHaveLength(2);
  });

  it('replaces processes on churn, with new pids and the same shape', async () => {
    const before = load.pids();
    await load.churn(0.34);
    const after = load.pids();
    expect(after.size).toBe(3);
    expect([...after].filter((p) => !before.has(p))).toHaveLength(1);
  });

  it('attributes a listener opened without changing the fd count, through a warm cache', async () => {
    const scanner = new Scanner(ProcFs.at('/proc'), { fdMaxAgeMs: 3_600_000, limitMaxAgeMs: 3_600_000, containers: false, deletedFiles: true });
    // Two scans: listeners of the host that no process holds (kernel sockets) are searched once.
    scanner.scan();
    scanner.scan();
    const p = load.live.find((x) => x.uid === NOBODY_UID)!;
    const port = await load.addListener(p, true);
    const holdersOf = (snap: ReturnType<Scanner['scan']>) => snap.listeners.find((l) => l.port === port && l.protocol === 'tcp')?.holders;
    const snapshot = scanner.scan();
    expect(holdersOf(snapshot)).toEqual([p.pid]);
    expect(snapshot.stats.cacheHits).toBeGreaterThan(0);
  });

  it('catches brief listeners of the nobody process through the poll, and they stay after closing', async () => {
    const r = await briefListenerCatch(load, 3, 1000, '250ms');
    expect(r).toMatchObject({ trials: 3, caught: 3, heldAfterClose: 3 });
    expect(r.latencySeconds).toHaveLength(3);
    expect(Math.max(...r.latencySeconds)).toBeLessThan(1); // seen while it lived
  }, 60_000);
});
