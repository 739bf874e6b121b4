/**
 * The scan paths that on the real /proc need root and real processes (the descriptor cache, deleted
 * files confirmed by link count 0, descriptor folders refused for lack of privilege), run fast on a
 * fixture tree whose kernel answers come from fixture-reader.ts, on both descriptor paths.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { Scanner, type ScannerOptions } from '../../src/scan/scanner.js';
import { needsDeletedFiles, SIGNALS, signalsNamed } from '../../src/signals/index.js';
import { makeFakeProc, type FakeProcSpec } from '../support/fake-proc.js';
import { fixtureProcFs } from '../support/fixture-reader.js';
import { samplesOf } from '../support/exposition.js';
import { SKIP_NATIVE } from '../support/native.js';
import { exposition } from '../support/scan-view.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1A0B 00000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 5001 1 0000000000000000 100 0 0 10 0
`;
const NO_CACHE: ScannerOptions = { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: true };
const CACHE: ScannerOptions = { ...NO_CACHE, fdMaxAgeMs: 3_600_000 };
const PATHS = SKIP_NATIVE ? [false] : [true, false];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function fixture(spec: FakeProcSpec) {
  const fx = makeFakeProc(spec);
  dirs.push(fx.dir);
  return fx;
}

describe.each(PATHS)('kernel facts on a fixture tree (native: %s)', (native) => {
  it('reports a deleted file held by two processes once, by device and inode, with its size and allocated bytes', async () => {
    const fx = fixture({
      processes: [
        { pid: 10, comm: 'master', exe: '/usr/sbin/app', fds: { 4: '/var/log/app.log (deleted)', 5: '/srv/live (deleted)' } },
        { pid: 11, comm: 'worker', exe: '/usr/sbin/app', fds: { 7: '/var/log/app.log (deleted)' } },
      ],
      meta: {
        stats: {
          '10/fd/4': { nlink: 0, size: 5000, blocks: 16, dev: 2049, ino: 77 },
          '11/fd/7': { nlink: 0, size: 5000, blocks: 16, dev: 2049, ino: 77 },
          // a live file whose own name ends in " (deleted)": link count 1, not deleted
          '10/fd/5': { nlink: 1, size: 9, dev: 2049, ino: 78 },
        },
      },
    });
    const ctx = new Scanner(fixtureProcFs(fx, native), NO_CACHE).scan();
    expect(ctx.deletedFiles).toEqual([
      {
        device: '8:1',
        inode: '77',
        size: 5000,
        allocatedBytes: 8192,
        path: '/var/log/app.log',
        holders: [
          { pid: 10, fd: 4 },
          { pid: 11, fd: 7 },
        ],
      },
    ]);
    const text = await exposition(ctx);
    expect(samplesOf(text, 'lsof_deleted_open_bytes')).toEqual([{ name: 'lsof_deleted_open_bytes', labels: { user: 'root', process: 'master' }, value: 8192 }]);
  });

  it('reuses a cached table while the kernel count is unchanged, and re-reads it when the count moves', () => {
    const fx = fixture({ meta: { fdCounts: true }, processes: [{ pid: 10, comm: 'app', exe: '/usr/bin/app', fds: { 0: '/dev/null', 1: 'pipe:[9]' } }] });
    const scanner = new Scanner(fixtureProcFs(fx, native), CACHE);
    expect(scanner.scan().stats).toMatchObject({ cacheHits: 0, cacheMisses: 1, fdLinksRead: 2 });
    expect(scanner.scan().stats).toMatchObject({ cacheHits: 1, cacheMisses: 0, fdLinksRead: 0 });
    fs.symlinkSync('anon_inode:[eventfd]', path.join(fx.procfs, '10', 'fd', '2'));
    const moved = scanner.scan();
    expect(moved.stats).toMatchObject({ cacheHits: 0, cacheMisses: 1, fdLinksRead: 3 });
    expect(moved.processes[0]!.fdTypes).toMatchObject({ device: 1, pipe: 1, anon_eventfd: 1 });
  });

  it('finds a listener swapped in behind a cached table of the same size, in the same scan', () => {
    const fx = fixture({ meta: { fdCounts: true }, processes: [{ pid: 10, comm: 'www', uid: 33, exe: '/usr/bin/www', fds: { 0: '/dev/null', 3: 'pipe:[9]' } }] });
    const scanner = new Scanner(fixtureProcFs(fx, native), CACHE);
    expect(scanner.scan().listeners).toEqual([]);
    scanner.scan(); // now certainly from the cache
    // The process closes its pipe and listens on the freed descriptor: same count, new socket.
    fs.rmSync(path.join(fx.procfs, '10', 'fd', '3'));
    fs.symlinkSync('socket:[5001]', path.join(fx.procfs, '10', 'fd', '3'));
    fs.writeFileSync(path.join(fx.procfs, '10', 'net', 'tcp'), TCP);
    // The count did not move, so the descriptors phase trusts the cache; the holder search re-reads.
    const after = scanner.scan();
    expect(after.listeners[0]!.holders).toEqual([10]);
    expect(after.processes[0]!.fdTypes.socket_tcp).toBe(1);
  });

  it('counts a process whose descriptors it may not read as uninspectable, and its listener without a holder', async () => {
    const fx = fixture({
      net: { tcp: TCP },
      meta: { denied: ['10/fd'] },
      processes: [
        { pid: 1, comm: 'init', exe: '/sbin/init', fds: { 0: '/dev/null' } },
        { pid: 10, comm: 'hidden', uid: 33, exe: '/usr/bin/hidden', fds: { 3: 'socket:[5001]' } },
      ],
    });
    const ctx = new Scanner(fixtureProcFs(fx, native), NO_CACHE).scan();
    expect(ctx.stats.uninspectable).toBe(1);
    expect(ctx.processes.find((p) => p.pid === 10)?.fdCount).toBeNull();
    const text = await exposition(ctx);
    const listener = samplesOf(text, 'lsof_listener_processes')[0]!;
    expect([listener.labels.port, listener.labels.user, listener.labels.process, listener.value]).toEqual(['6667', 'www-data', '', 0]);
    expect(samplesOf(text, 'lsof_scan_uninspectable_processes')[0]!.value).toBe(1);
  });
});

describe('a collector turned off', () => {
  it('exposes none of its families, and the scan skips the phase only it needed', async () => {
    const fx = fixture({
      processes: [{ pid: 10, comm: 'app', exe: '/usr/bin/app', fds: { 4: '/var/log/app.log (deleted)' } }],
      meta: { stats: { '10/fd/4': { nlink: 0, size: 5000, dev: 2049, ino: 77 } } },
    });
    const signals = signalsNamed(parseConfig(['--no-collector.deleted_files']).collectors);
    const ctx = new Scanner(fixtureProcFs(fx), { ...NO_CACHE, deletedFiles: needsDeletedFiles(signals) }).scan();
    expect(ctx.deletedFiles).toBeNull();
    expect(ctx.stats.phaseSeconds.deleted_files).toBe(0);
    const text = await exposition(ctx, { signals });
    expect(text).not.toMatch(/^lsof_deleted_open/m);
    expect(samplesOf(text, 'lsof_collector_success').map((s) => s.labels.collector)).toEqual(SIGNALS.map((s) => s.name).filter((n) => n !== 'deleted_files'));
  });
});
