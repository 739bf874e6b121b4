/**
 * A local user who knows the exporter runs (issue 14), on the real kernel: descriptors that vanish
 * or cannot be read must cost only themselves, memfds and sparse files must not fake deleted files or
 * full disks. The scanner runs in-process on /proc, on both descriptor paths.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcFs } from '../../src/procfs/proc.js';
import { ProcReader } from '../../src/procfs/reader.js';
import { Scanner, type ScannerOptions } from '../../src/scan/scanner.js';
import { started, startFdHolder, startNodeListener, startPython, type HeldChild } from '../support/children.js';
import { startExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { SKIP_NATIVE } from '../support/native.js';
import { exposition } from '../support/scan-view.js';
import { waitFor } from '../support/wait.js';

const NO_CACHE: ScannerOptions = { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: true };
const PATHS = SKIP_NATIVE ? [false] : [true, false];
const held: HeldChild[] = [];
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-hostile-'));
});
afterAll(async () => {
  await Promise.all(held.map((h) => h.stop()));
  // rm walks with openat: it removes the tree deeper than PATH_MAX that fs.rmSync cannot.
  execFileSync('rm', ['-rf', tmp]);
});

/** The procfs as the scan sees it, listing only `pid` (and PID 1): fast enough to scan many times. */
function procfsOf(pid: number, native: boolean): ProcFs {
  class OnePid extends ProcReader {
    override listPids(): number[] {
      return [1, pid];
    }
  }
  return new ProcFs(new OnePid('/proc', '/'), { native });
}

describe.each(PATHS)('descriptors an attacker controls (native: %s)', (native) => {
  const procfs = ProcFs.at('/proc', '/', { native });

  it('keeps a process whose top descriptor opens and closes while its table is read, and its listener', async () => {
    const flap = await startFdHolder(['flap']);
    held.push(flap);
    // Before the fix the native path lost the process in about one scan in four.
    const scanner = new Scanner(procfsOf(flap.pid, native), NO_CACHE);
    for (let i = 0; i < 200; i++) {
      const ctx = scanner.scan();
      expect(ctx.processes.some((p) => p.pid === flap.pid), `scan ${i}`).toBe(true);
      const listener = ctx.listeners.find((l) => l.port === flap.port && l.address === '127.0.0.1');
      expect(listener?.holders, `scan ${i}`).toEqual([flap.pid]);
    }
  });

  it('counts a descriptor whose path is longer than PATH_MAX as unreadable and reads all the others', async () => {
    const deep = await startFdHolder(['deep', fs.mkdtempSync(path.join(tmp, 'deep-'))]);
    held.push(deep);
    const ctx = new Scanner(procfs, NO_CACHE).scan();
    const p = ctx.processes.find((x) => x.pid === deep.pid)!;
    expect(p.fdTypes.unreadable).toBe(1);
    expect(p.fdCount).toBe(fs.readdirSync(`/proc/${deep.pid}/fd`).length);
    expect(ctx.listeners.find((l) => l.port === deep.port)?.holders).toEqual([deep.pid]);
    expect(ctx.stats.errors.fd_read).toBe(0);
    expect(ctx.stats.errors.fd_link).toBeGreaterThanOrEqual(1);
  });

  it('types a memfd named "evil (deleted)" as memfd, never as a deleted file', async () => {
    const memfd = await startPython("import os\nfd = os.memfd_create('evil (deleted)')\nos.write(fd, b'x' * 4 * 1024 * 1024)");
    held.push(memfd);
    const ctx = new Scanner(procfs, NO_CACHE).scan();
    expect(ctx.processes.find((x) => x.pid === memfd.pid)!.fdTypes.memfd).toBe(1);
    expect((ctx.deletedFiles ?? []).filter((f) => f.holders.some((h) => h.pid === memfd.pid))).toEqual([]);
  });

  it('reports the 4 MB a memfd named "evil (deleted)" pins in lsof_memfd_open_bytes, and not in the deleted families', async () => {
    const comm = `memfd-evil-${native ? 'n' : 't'}`;
    const memfd = await startPython(`open('/proc/self/comm', 'w').write('${comm}')\nimport os\nfd = os.memfd_create('evil (deleted)')\nos.write(fd, b'x' * 4 * 1024 * 1024)`);
    held.push(memfd);
    const ctx = new Scanner(procfsOf(memfd.pid, native), NO_CACHE).scan();
    const mine = (ctx.memfds ?? []).filter((m) => m.holders.includes(memfd.pid));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.allocatedBytes).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    const text = await exposition(ctx);
    const ofComm = (family: string) => samplesOf(text, family).filter((s) => s.labels.process === comm);
    expect(ofComm('lsof_memfd_open_files').map((x) => [x.labels, x.value])).toEqual([[{ user: 'root', process: comm }, 1]]);
    const bytes = ofComm('lsof_memfd_open_bytes')[0]!.value;
    expect(bytes).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(bytes).toBeLessThan(4.5 * 1024 * 1024);
    for (const family of ['lsof_deleted_open_files', 'lsof_deleted_open_bytes', 'lsof_deleted_open_file_size_bytes']) expect(ofComm(family), family).toEqual([]);
    expect(text).not.toContain('/memfd:');
  });

  it('reports what a memfd truncated to 1 GiB and never written holds, not its size', async () => {
    const comm = `memfd-sparse-${native ? 'n' : 't'}`;
    const sparse = await startPython(`open('/proc/self/comm', 'w').write('${comm}')\nimport os\nfd = os.memfd_create('sparse')\nos.ftruncate(fd, 1024 ** 3)\nos.write(fd, b'y' * 8192)`);
    held.push(sparse);
    const ctx = new Scanner(procfsOf(sparse.pid, native), NO_CACHE).scan();
    const mine = (ctx.memfds ?? []).filter((m) => m.holders.includes(sparse.pid));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.size).toBe(1024 ** 3);
    const text = await exposition(ctx);
    const bytes = samplesOf(text, 'lsof_memfd_open_bytes').find((s) => s.labels.process === comm)!.value;
    expect(bytes).toBeGreaterThanOrEqual(8192);
    expect(bytes).toBeLessThan(1024 * 1024);
  });

  it('counts a memfd two processes hold once, under the lower pid, and stats it again while the tables are cached', async () => {
    const comm = `memfd-share-${native ? 'n' : 't'}`;
    // Writes 1 MiB, forks (the child inherits the descriptor and dies with its parent), and writes
    // 1 MiB more on SIGUSR1; prints "ready PID CHILD FD".
    const code = [
      `open('/proc/self/comm', 'w').write('${comm}')`,
      'import ctypes, os, signal, sys',
      "fd = os.memfd_create('shared')",
      "os.write(fd, b'z' * 1024 * 1024)",
      'child = os.fork()',
      'if child == 0:',
      '    ctypes.CDLL(None).prctl(1, 9)',
      '    while True: signal.pause()',
      "signal.signal(signal.SIGUSR1, lambda *_: os.pwrite(fd, b'z' * 1024 * 1024, 1024 * 1024))",
      "print('ready', os.getpid(), child, fd, flush=True)",
      'sys.stdin.read()',
      'os.kill(child, 9)',
    ].join('\n');
    const shared = await started(spawn('python3', ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'] }), 'python3 memfd sharer');
    held.push(shared);
    const [, , child, fd] = /ready (\d+) (\d+) (\d+)/.exec(shared.output)!.map(Number);
    class Pair extends ProcReader {
      override listPids(): number[] {
        return [1, shared.pid, child!];
      }
    }
    const cached = new Scanner(new ProcFs(new Pair('/proc', '/'), { native }), { ...NO_CACHE, fdMaxAgeMs: 3_600_000 });
    const first = (cached.scan().memfds ?? []).filter((m) => m.holders.includes(shared.pid));
    expect(first).toHaveLength(1);
    expect([...first[0]!.holders].sort()).toEqual([shared.pid, child].sort());
    expect(first[0]!.allocatedBytes).toBe(1024 * 1024);
    process.kill(shared.pid, 'SIGUSR1');
    await waitFor(() => fs.statSync(`/proc/${shared.pid}/fd/${fd}`).blocks * 512 === 2 * 1024 * 1024, 'the second MiB written');
    const ctx = cached.scan();
    expect(ctx.stats.cacheHits).toBeGreaterThanOrEqual(2);
    const again = (ctx.memfds ?? []).filter((m) => m.holders.includes(shared.pid));
    expect(again[0]!.allocatedBytes).toBe(2 * 1024 * 1024);
    const text = await exposition(ctx);
    const files = samplesOf(text, 'lsof_memfd_open_files').filter((s) => s.labels.process === comm);
    expect(files.map((x) => [x.labels, x.value])).toEqual([[{ user: 'root', process: comm }, 1]]);
  });

  it('reports what an unlinked 8 TiB sparse file pins on disk, not its apparent size', async () => {
    const file = path.join(tmp, `sparse-${native}`);
    const sparse = await startPython(`import os\nf = open(${JSON.stringify(file)}, 'wb')\nf.truncate(8 * 1024 ** 4)\nos.unlink(${JSON.stringify(file)})`);
    held.push(sparse);
    const ctx = new Scanner(procfs, NO_CACHE).scan();
    const mine = (ctx.deletedFiles ?? []).filter((f) => f.holders.some((h) => h.pid === sparse.pid));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.size).toBe(8 * 1024 ** 4);
    expect(mine[0]!.allocatedBytes).toBeLessThan(1024 * 1024);
    const text = await exposition(ctx);
    const pinned = samplesOf(text, 'lsof_deleted_open_bytes').find((s) => s.labels.process === 'python3');
    expect(pinned?.value ?? 0).toBeLessThan(1024 * 1024);
  });
});

describe('names an attacker chooses', () => {
  // A listener whose process name holds a carriage return, an escape sequence and a newline.
  const HOSTILE = 'cr\rss\x1b[2Kh\nd';
  let named: HeldChild;
  beforeAll(async () => {
    named = await startPython(
      `open('/proc/self/comm', 'w').write(${JSON.stringify(HOSTILE)})\nimport socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen()\nport = s.getsockname()[1]\nimport os\nprint('ready', os.getpid(), port, flush=True)`,
    );
    held.push(named);
  });

  it('reaches /metrics with every control character written as \\xNN, never raw', async () => {
    const ctx = new Scanner(procfsOf(named.pid, true), NO_CACHE).scan();
    expect(ctx.processes.find((p) => p.pid === named.pid)?.comm).toBe(HOSTILE.slice(0, 15));
    const text = await exposition(ctx);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    const line = text.split('\n').find((l) => l.startsWith('lsof_listener_processes{') && l.includes(`port="${named.port}"`));
    expect(line).toContain('process="cr\\\\x0dss\\\\x1b[2Kh\\\\x0ad"');
    expect(samplesOf(text, 'lsof_listener_processes').find((s) => s.labels.port === String(named.port))?.labels.process).toBe('cr\\x0dss\\x1b[2Kh\\x0ad');
  });

  it('prints one --once line for it, escaped the way lsof escapes names', () => {
    const main = path.resolve('dist/src/main.js');
    const out = execFileSync(process.execPath, [main, '--once'], { encoding: 'utf8' });
    const mine = out.split('\n').filter((l) => l.endsWith(`/127.0.0.1:${named.port}`));
    expect(mine).toEqual([`cr\\rss^[[2Kh\\nd/root/127.0.0.1:${named.port}`]);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
  });
});

describe('a listener flood by one account', () => {
  it('keeps every listener of root and of a third account on /metrics, and counts the flood uncapped', async () => {
    const NOBODY = 65534;
    const flood = await startFdHolder(['many', '2100'], { uid: NOBODY, gid: NOBODY });
    held.push(flood);
    const rootListener = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    held.push(rootListener);
    const daemonListener = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1', uid: 1, gid: 1 });
    held.push(daemonListener);
    const exporter = await startExporter(['--scan.interval=2s']);
    try {
      await exporter.waitForScans(2, 60_000);
      // The flood is in place when its count is; from then on every scan must show the others.
      await waitFor(async () => samplesOf(await exporter.metrics(), 'lsof_listening_sockets').some((s) => s.labels.user === 'nobody' && s.value === 2100), 'the flood on /metrics', 90_000);
      const scans = samplesOf(await exporter.metrics(), 'lsof_scans_total').find((x) => x.labels.result === 'success')!.value;
      await exporter.waitForScans(scans + 1, 60_000);
      const text = await exporter.metrics();
      const listeners = samplesOf(text, 'lsof_listener_processes');
      expect(listeners).toHaveLength(2000); // the cap is full...
      const ports = (user: string) => new Set(listeners.filter((s) => s.labels.user === user).map((s) => Number(s.labels.port)));
      expect([...ports('root')], JSON.stringify(listeners.filter((x) => x.labels.port === String(rootListener.port)))).toContain(rootListener.port); // ...and root's listeners are all in it
      expect(ports('daemon').has(daemonListener.port)).toBe(true); // so are the third account's
      expect(samplesOf(text, 'lsof_listening_sockets').find((s) => s.labels.user === 'nobody')?.value).toBe(2100);
      expect(samplesOf(text, 'lsof_series_dropped').find((s) => s.labels.metric === 'lsof_listener_processes')?.value).toBeGreaterThan(0);
    } finally {
      await exporter.stop();
    }
  }, 240_000);
});

describe('what an account connects to', () => {
  it('names a watched remote port, counts the rest as other, and splits inbound from outbound', async () => {
    // A stand-in IRC server on 6667 (if free) and a database-like one on an ephemeral port.
    const irc = await startPython("import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(('127.0.0.1', 6667))\ns.listen()\nimport threading\nconns = []\nthreading.Thread(target=lambda: conns.append(s.accept()), daemon=True).start()");
    held.push(irc);
    const db = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    held.push(db);
    const bot = await startPython(
      `open('/proc/self/comm', 'w').write('ircbot')\nimport socket\na = socket.create_connection(('127.0.0.1', 6667))\nb = socket.create_connection(('127.0.0.1', ${db.port}))`,
    );
    held.push(bot);
    // The stand-in server accepts in a thread: scan until it holds the accepted connection.
    const text = await waitFor(async () => {
      const t = await exposition(new Scanner(ProcFs.at('/proc'), NO_CACHE).scan());
      return samplesOf(t, 'lsof_listener_connections').some((s) => s.labels.port === '6667') ? t : undefined;
    }, 'the accepted connection');
    const mine = samplesOf(text, 'lsof_tcp_connections').filter((s) => s.labels.process === 'ircbot');
    expect(mine.map((s) => [s.labels.direction, s.labels.state, s.labels.remote_port, s.value]).sort()).toEqual([
      ['outbound', 'established', '6667', 1],
      ['outbound', 'established', 'other', 1],
    ]);
    const accepted = samplesOf(text, 'lsof_listener_connections').filter((s) => s.labels.port === '6667' && s.labels.process === 'python3');
    expect(accepted.map((s) => [s.labels.state, s.value])).toEqual([['established', 1]]);
  });
});
