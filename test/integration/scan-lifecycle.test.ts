/**
 * How scans meet the world: a process that exits mid-scan, a pid reused mid-scan, a scrape while a
 * scan is in progress, and the time before the first scan completes. Scans are held in the middle
 * deterministically by a FIFO in a fixture procfs: the worker blocks reading it until the test writes.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcFs } from '../../src/procfs/proc.js';
import { ProcReader } from '../../src/procfs/reader.js';
import { Scanner } from '../../src/scan/scanner.js';
import { makeFakeProc } from '../support/fake-proc.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { waitFor } from '../support/wait.js';
import { startFdHolder, startNodeListener, started } from '../support/children.js';
import { procfsOver } from '../support/procfs.js';

const NO_CACHE = { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: true };
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('a process that exits while being scanned', () => {
  it.each([true, false])('is skipped as "exited" and the scan completes (native fast path: %s)', async (native) => {
    // A grandchild, so its parent (sh) reaps it at once and /proc/PID disappears.
    const sh = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(() => void sh.kill('SIGKILL'));
    const victim = Number(await new Promise<string>((r) => sh.stdout!.once('data', (d: Buffer) => r(d.toString().trim()))));
    const victimFd = `/proc/${victim}/fd`;
    const killFirst = (dir: string) => {
      if (dir !== victimFd) return;
      process.kill(victim, 'SIGKILL');
      for (let i = 0; i < 200 && fs.existsSync(`/proc/${victim}`); i++) sleepSync(10);
    };
    const procfs = procfsOver(new ProcReader('/proc', '/'), { native, beforeFdRead: killFirst });
    expect(procfs.fdTables.native).toBe(native);
    const snap = new Scanner(procfs, NO_CACHE).scan();
    expect(fs.existsSync(`/proc/${victim}`)).toBe(false);
    expect(snap.processes.some((p) => p.pid === victim)).toBe(false);
    expect(snap.stats.skipped.exited).toBeGreaterThanOrEqual(1);
    expect(snap.processes.some((p) => p.pid === process.pid)).toBe(true);
  });
});

describe('a pid reused during the scan', () => {
  it('is skipped as "pid_reused", never attributed to the new owner', () => {
    const fx = makeFakeProc({ processes: [{ pid: 1, comm: 'init', exe: '/sbin/init' }, { pid: 42, comm: 'old', startTime: 500, exe: '/bin/old', fds: { 0: '/dev/null' } }] });
    cleanups.push(() => fs.rmSync(fx.dir, { recursive: true, force: true }));
    const stat42 = path.join(fx.procfs, '42', 'stat');
    let reads = 0;
    class ReusingReader extends ProcReader {
      override readText(file: string): string {
        const text = super.readText(file);
        // The second read of pid 42's stat (after its fds were read) shows a new start time.
        if (file === stat42 && ++reads === 2) return text.replace(/ 500 0 0 /, ' 777 0 0 ');
        return text;
      }
    }
    const snap = new Scanner(new ProcFs(new ReusingReader(fx.procfs, fx.rootfs)), NO_CACHE).scan();
    expect(reads).toBe(2);
    expect(snap.processes.map((p) => p.pid)).toEqual([1]);
    expect(snap.stats.skipped.pid_reused).toBe(1);
  });
});

describe('scrapes and scans', () => {
  const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const listenerLine = (port: number, inode: number) =>
    `   0: 00000000:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

  async function blockedExporter() {
    const fx = makeFakeProc({
      net: { tcp: TCP_HEADER + listenerLine(1111, 9001) },
      processes: [
        { pid: 1, comm: 'init', exe: '/sbin/init', fds: { 3: 'socket:[9001]' } },
        { pid: 5, comm: 'gate', exe: '/bin/gate' },
      ],
    });
    // pid 5's status is a FIFO: every scan blocks there until the test writes a status into it.
    const gate = path.join(fx.procfs, '5', 'status');
    fs.rmSync(gate);
    execFileSync('mkfifo', [gate]);
    const release = () => fs.writeFileSync(gate, 'Name:\tgate\nUid:\t0\t0\t0\t0\n');
    const exporterPromise = startExporterNoWait(['--path.procfs=' + fx.procfs, '--path.rootfs=' + fx.rootfs, '--scan.interval=200ms', '--scan.listener-poll-interval=0']);
    const exporter = await exporterPromise;
    cleanups.push(async () => {
      await exporter.stop();
      fs.rmSync(fx.dir, { recursive: true, force: true });
    });
    return { fx, exporter, release };
  }

  it('serves the exporter\'s own metrics before the first scan completes, and /healthz fails', async () => {
    const { exporter, release } = await blockedExporter();
    const before = await exporter.metrics();
    expect(samplesOf(before, 'lsof_exporter_build_info')).toHaveLength(1);
    expect(samplesOf(before, 'lsof_scans_total').find((s) => s.labels.result === 'success')?.value).toBe(0);
    expect(samplesOf(before, 'lsof_listener_processes')).toEqual([]);
    expect(samplesOf(before, 'process_resident_memory_bytes')).toHaveLength(1);
    const health = await fetch(`${exporter.url}/healthz`);
    expect(health.status).toBe(503);
    release();
    await exporter.waitForScans(1);
    expect((await fetch(`${exporter.url}/healthz`)).status).toBe(200);
  });

  it('answers a scrape during a scan from the previous snapshot, whole', async () => {
    const { fx, exporter, release } = await blockedExporter();
    release();
    await exporter.waitForScans(1);
    // Scan 2 is now blocked on the gate. Change the world under it: a new listener appears.
    fs.writeFileSync(path.join(fx.procfs, '1', 'net', 'tcp'), TCP_HEADER + listenerLine(1111, 9001) + listenerLine(2222, 9002));
    fs.symlinkSync('socket:[9002]', path.join(fx.procfs, '1', 'fd', '4'));
    const during = await exporter.metrics();
    expect(samplesOf(during, 'lsof_scans_total').find((s) => s.labels.result === 'success')?.value).toBe(1);
    expect(samplesOf(during, 'lsof_listener_processes').map((s) => s.labels.port)).toEqual(['1111']);
    // The whole exposition is from scan 1: fd count of init and the socket type counts agree.
    expect(samplesOf(during, 'lsof_scan_fds')[0]!.value).toBe(1);
    release();
    await exporter.waitForScans(2);
    const after = await exporter.metrics();
    expect(samplesOf(after, 'lsof_listener_processes').map((s) => s.labels.port).sort()).toEqual(['1111', '2222']);
    expect(samplesOf(after, 'lsof_scan_fds')[0]!.value).toBe(2);
    // Keep releasing so the exporter can stop cleanly.
    const keepReleasing = setInterval(() => {
      try {
        const fd = fs.openSync(path.join(fx.procfs, '5', 'status'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        fs.writeSync(fd, 'Name:\tgate\nUid:\t0\t0\t0\t0\n');
        fs.closeSync(fd);
      } catch {
        /* no reader right now */
      }
    }, 20);
    cleanups.unshift(() => clearInterval(keepReleasing));
  });
});

/** startExporter waits for a first scan; with a gated fixture that must not happen yet. */
async function startExporterNoWait(args: string[]): Promise<RunningExporter> {
  const env = { ...process.env, LSOF_EXPORTER_ALLOW_FIXTURE_PROCFS: '1' };
  const exporter = await startExporter(args, { env, waitForFirstScan: false });
  await waitFor(async () => (await fetch(`${exporter.url}/metrics`)).ok, 'exporter up');
  return exporter;
}

describe('a listener opened behind a cached descriptor table', () => {
  it('is attributed in the next scan even though the process\'s fd count did not change', async () => {
    const held = await startFdHolder(['swap']);
    cleanups.push(() => held.stop());
    const scanner = new Scanner(ProcFs.at('/proc'), { fdMaxAgeMs: 3_600_000, limitMaxAgeMs: 60_000, containers: false, deletedFiles: true });
    const count = () => fs.readdirSync(`/proc/${held.pid}/fd`).length;
    scanner.scan();
    const before = count();
    scanner.scan(); // now certainly served from the cache
    const port = await new Promise<number>((resolve) => {
      held.child.stdout!.on('data', (d: Buffer) => {
        const m = /swapped (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      held.child.stdin!.write('\n');
    });
    expect(count()).toBe(before);
    const snap = scanner.scan();
    const listener = snap.listeners.find((l) => l.address === '127.0.0.1' && l.port === port);
    expect(listener?.holders).toEqual([held.pid]);
    const proc = snap.processes.find((p) => p.pid === held.pid)!;
    expect(proc.fdTypes.socket_tcp).toBe(1);
    expect(proc.fdTypes.device).toBe(0);
  });
});

describe('a connection of a program exec\'d behind a cached descriptor table', () => {
  // As `nsenter ... setpriv ... python3` does: the table was read while the process held a
  // close-on-exec file; the exec closed it and the new program opened a socket in its place, so the
  // descriptor count is the same and only the program tells the cached table is stale.
  it('is attributed in the next scan even though the exec kept the descriptor count', async () => {
    const accepted: net.Socket[] = [];
    const server = net.createServer((c) => accepted.push(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => (accepted.forEach((c) => c.destroy()), server.close(() => r()))));
    const port = (server.address() as net.AddressInfo).port;
    const bash = `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected && read -r _`;
    const code = `import os, sys\nf = open('/dev/null')\nprint('ready', os.getpid(), 0, flush=True)\nsys.stdin.readline()\nos.execv('/bin/bash', ['bash', '-c', ${JSON.stringify(bash)}])\n`;
    const held = await started(spawn('/usr/bin/python3', ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'] }), 'python3 before its exec');
    cleanups.push(() => held.stop());
    const scanner = new Scanner(ProcFs.at('/proc'), { fdMaxAgeMs: 3_600_000, limitMaxAgeMs: 60_000, containers: false, deletedFiles: true });
    const count = () => fs.readdirSync(`/proc/${held.pid}/fd`).length;
    scanner.scan();
    const before = count();
    expect(scanner.scan().processes.find((p) => p.pid === held.pid)?.comm).toBe('python3'); // from the cache now
    const connected = new Promise<void>((resolve) => held.child.stdout!.on('data', (d: Buffer) => d.toString().includes('connected') && resolve()));
    held.child.stdin!.write('\n');
    await connected;
    expect(count()).toBe(before);
    const snap = scanner.scan();
    const proc = snap.processes.find((p) => p.pid === held.pid)!;
    expect(proc.comm).toBe('bash');
    expect(proc.fdTypes.socket_tcp).toBe(1);
    expect(snap.connections.filter((c) => c.pid === held.pid)).toEqual([{ pid: held.pid, state: 1, direction: 'outbound', port, count: 1 }]);
  });
});

describe('a listener of a process that started after the scan listed /proc', () => {
  it('is attributed in the same scan, without re-reading the cached tables of its uid', async () => {
    const quiet = await startFdHolder(['kinds', '2']); // root, like the listener: a step-3 suspect
    cleanups.push(() => quiet.stop());
    const late = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    cleanups.push(() => late.stop());
    let hideLate = false;
    const tablesRead: string[] = [];
    class LateStartReader extends ProcReader {
      override listPids(): number[] {
        const pids = super.listPids();
        if (!hideLate) return pids;
        hideLate = false; // only the scan's first listing misses it, as if it started just after
        return pids.filter((p) => p !== late.pid);
      }
    }
    const procfs = procfsOver(new LateStartReader('/proc'), { beforeFdRead: (dir) => tablesRead.push(dir) });
    const scanner = new Scanner(procfs, { fdMaxAgeMs: 3_600_000, limitMaxAgeMs: 60_000, containers: false, deletedFiles: true });
    scanner.scan(); // every table cached
    hideLate = true;
    tablesRead.length = 0;
    const snap = scanner.scan();
    expect(snap.listeners.find((l) => l.port === late.port && l.protocol === 'tcp')?.holders).toEqual([late.pid]);
    expect(snap.processes.some((p) => p.pid === late.pid)).toBe(true);
    expect(tablesRead).not.toContain(`/proc/${quiet.pid}/fd`);
  });
});
