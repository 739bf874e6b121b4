import { describe, expect, it } from 'vitest';
import { buildModel as buildModelOf, type ModelOptions } from '../../src/model/model.js';
import { capSamples } from '../../src/model/series-cap.js';
import { emptyFdTypeCounts } from '../../src/procfs/fd-target.js';
import type { ProcessRecord, ScanContext } from '../../src/scan/context.js';
import { ScanStatsBuilder } from '../../src/scan/scan-stats.js';
import { family } from '../../src/signals/family.js';
import { SIGNALS } from '../../src/signals/index.js';
import { defineSignal } from '../../src/signals/signal.js';

function proc(pid: number, comm: string, user = 'root', extra: Partial<ProcessRecord> = {}): ProcessRecord {
  return {
    pid, startTime: pid, uid: 0, euid: 0, user, comm, exe: `/usr/bin/${comm}`, exeDeleted: false, cwd: "/", exePlacement: null,
    fdCount: 10, fdTypes: { ...emptyFdTypeCounts(), file: 10 }, fdLimit: 100, netns: '1',
    container: { id: '', runtime: '', podUid: '' }, ...extra,
  };
}

function snapshot(partial: Partial<ScanContext>): ScanContext {
  return { processes: [], listeners: [], heldListeners: [], connections: [], deletedFiles: [], procfsVisibility: { overmountedPids: [], hidepid: 'off' }, hostNetns: '1', stats: new ScanStatsBuilder(false).finish(), ...partial };
}

const OPTS: ModelOptions = { groupBy: ['user', 'process'], maxSeries: 1000, deletedTop: 2, watchedRemotePorts: [6667] };
const buildModel = (ctx: ScanContext, opts: ModelOptions) => buildModelOf(ctx, SIGNALS, opts);

describe('buildModel', () => {
  it('counts a deleted file held by many workers once, in the group of its lowest-pid holder', () => {
    const processes = [proc(10, 'master'), proc(11, 'worker', 'www-data'), proc(12, 'worker', 'www-data')];
    const snap = snapshot({
      processes,
      deletedFiles: [
        { device: '8:1', inode: '1', size: 1000, allocatedBytes: 1000, path: '/var/log/a.log', holders: [{ pid: 12, fd: 3 }, { pid: 11, fd: 3 }, { pid: 10, fd: 5 }] },
        { device: '8:1', inode: '2', size: 50, allocatedBytes: 50, path: '/tmp/b', holders: [{ pid: 12, fd: 4 }] },
        { device: '8:1', inode: '3', size: 7, allocatedBytes: 7, path: '/tmp/c', holders: [{ pid: 11, fd: 6 }] },
      ],
    });
    const m = buildModel(snap, { ...OPTS, groupBy: ['user', 'process'] });
    expect(m.samples.deleted_open_bytes).toEqual([
      { labels: { user: 'root', process: 'master' }, value: 1000 },
      { labels: { user: 'www-data', process: 'worker' }, value: 57 },
    ]);
    expect(m.samples.deleted_open_files!.map((s) => s.value)).toEqual([1, 2]);
    // Top N: the two largest, with their lowest-pid holder.
    expect(m.samples.deleted_open_file_size_bytes!.map((s) => [s.labels.path, s.labels.pid, s.value])).toEqual([
      ['/var/log/a.log', '10', 1000],
      ['/tmp/b', '12', 50],
    ]);
  });

  it('makes one listener series per holder identity, valued by the number of holders', () => {
    const processes = [proc(10, 'nginx', 'root'), proc(11, 'nginx', 'www-data'), proc(12, 'nginx', 'www-data')];
    const snap = snapshot({
      processes,
      listeners: [
        { protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port: 80, inode: 5, netns: '1', socketUid: 0, holders: [10, 11, 12] },
        { protocol: 'udp', family: 'ipv6', address: '::', port: 53, inode: 6, netns: '99', socketUid: 33, holders: [] },
      ],
    });
    const m = buildModel(snap, { ...OPTS, groupBy: ['user', 'process'] });
    expect(m.samples.listener_processes!.map((s) => [s.labels.port, s.labels.user, s.labels.netns, s.value])).toEqual([
      ['80', 'root', '', 1],
      ['80', 'www-data', '', 2],
      ['53', '33', '99', 0],
    ]);
  });

  it('groups by the configured labels', () => {
    const snap = snapshot({ processes: [proc(10, 'a', 'u', { exe: '/x' }), proc(11, 'a', 'u', { exe: '/y' })] });
    const m = buildModel(snap, { ...OPTS, groupBy: ['user', 'process', 'executable'] });
    expect(m.samples.processes!.map((s) => s.labels)).toEqual([
      { user: 'u', process: 'a', executable: '/x' },
      { user: 'u', process: 'a', executable: '/y' },
    ]);
  });

  it('caps every family and counts the drops (random process names cannot explode series)', () => {
    const processes = Array.from({ length: 50 }, (_, i) => proc(100 + i, `rnd${i}`, 'attacker', { fdCount: i, fdTypes: { ...emptyFdTypeCounts(), file: i } }));
    const m = buildModel(snapshot({ processes }), { ...OPTS, maxSeries: 10 });
    expect(m.samples.processes).toHaveLength(10);
    expect(m.dropped.processes).toBe(40);
    // open_fds keeps the largest groups (49 fds .. 40 fds); the group with 0 fds has no series at all.
    expect(m.samples.open_fds!.map((s) => s.value)).toEqual([49, 48, 47, 46, 45, 44, 43, 42, 41, 40]);
    expect(m.dropped.open_fds).toBe(39);
  });
});

describe('signal health', () => {
  const broken = defineSignal({
    name: 'broken',
    help: 'always throws',
    enabledByDefault: false,
    needs: {},
    families: { f: family('broken_things', { type: 'gauge', help: 'x', otelName: 'lsof.broken', unit: '1' }) },
    derive: () => {
      throw new Error('boom');
    },
  });

  it('reports a signal that throws as failed, with empty families, and serves the others', () => {
    const m = buildModelOf(snapshot({ processes: [proc(10, 'a')] }), [broken, ...SIGNALS], OPTS);
    expect(m.health.broken).toMatchObject({ success: false, error: 'boom' });
    expect(m.samples.broken_things).toEqual([]);
    expect(m.health.processes?.success).toBe(true);
    expect(m.samples.processes).toEqual([{ labels: { user: 'root', process: 'a' }, value: 1 }]);
  });

  it('fails the deleted-files signal alone when the scan could not collect deleted files', () => {
    const m = buildModel(snapshot({ processes: [proc(10, 'a')], deletedFiles: null }), OPTS);
    expect(m.health.deleted_files?.success).toBe(false);
    expect(Object.entries(m.health).filter(([, h]) => !h.success).map(([n]) => n)).toEqual(['deleted_files']);
  });
});

describe('capSamples', () => {
  it('deals the cap to users in turns: a flood by one user leaves every other user\'s series whole', () => {
    const flood = Array.from({ length: 4200 }, (_, i) => ({ labels: { user: 'nobody', port: String(10_000 + i) }, value: 2 }));
    const root = Array.from({ length: 30 }, (_, i) => ({ labels: { user: 'root', port: String(i + 1) }, value: 1 }));
    const daemon = [{ labels: { user: 'daemon', port: '8080' }, value: 0 }];
    const { kept, dropped } = capSamples([...flood, ...root, ...daemon], 2000);
    expect(kept).toHaveLength(2000);
    expect(dropped).toBe(4231 - 2000);
    expect(kept.filter((s) => s.labels.user === 'root')).toHaveLength(30);
    expect(kept.filter((s) => s.labels.user === 'daemon')).toHaveLength(1);
  });

  it('never caps a family declared uncapped (one series per account)', () => {
    const processes = Array.from({ length: 30 }, (_, i) => proc(100 + i, `p${i}`, `user${i}`));
    const listeners = processes.map((p, i) => ({ protocol: 'tcp' as const, family: 'ipv4' as const, address: '0.0.0.0', port: 1000 + i, inode: 1 + i, netns: '1', socketUid: 0, holders: [p.pid] }));
    const m = buildModel(snapshot({ processes, listeners }), { ...OPTS, maxSeries: 5 });
    expect(m.samples.listener_processes).toHaveLength(5);
    expect(m.samples.listening_sockets).toEqual([{ labels: { user: 'user29' }, value: 30 }]);
  });

  it('is stable for ties (sorted by labels), so scrapes do not flap', () => {
    const s = [{ labels: { a: 'z' }, value: 1 }, { labels: { a: 'b' }, value: 1 }, { labels: { a: 'c' }, value: 2 }];
    expect(capSamples(s, 2).kept.map((x) => x.labels.a)).toEqual(['c', 'b']);
    expect(capSamples(s, 5)).toEqual({ kept: s, dropped: 0 });
  });

  it('breaks ties by code unit, whatever the locale: upper case before lower, "é" after "z"', () => {
    const s = ['é', 'a', 'Z', 'z', 'B'].map((a) => ({ labels: { a }, value: 1 }));
    expect(capSamples(s, 4).kept.map((x) => x.labels.a)).toEqual(['B', 'Z', 'a', 'z']);
  });
});
