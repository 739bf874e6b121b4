/**
 * The built exporter on the real /proc, against children with known listeners, descriptors and a
 * deleted file; cross-checked with `ss -ltnupH` and `lsof +L1`, and linted with promtool.
 * Other processes on this host come and go: assertions are filtered to this test's children.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { NODE_COMM, fdholderBinary, fdholderComm, startFdHolder, startNodeListener, type HeldChild } from '../support/children.js';
import { samplesOf } from '../support/exposition.js';

const NOBODY = 65534;
const DAEMON = 1; // runs the fd-kinds child, so its group is only that child
const BIN = 2; // holds the deleted file from two processes
const DELETED_SIZE = 123_457;
/** Its blocks on disk (st_blocks x 512), what lsof_deleted_open_bytes reports. */
let deletedAllocated = 0;
const KINDS_N = 3;

let children: HeldChild[] = [];
let exporter: RunningExporter;
let exposition: string;
let tmp: string;
let deletedPath: string;
const ports: Record<string, number> = {};
let prefork: HeldChild;
let holders: HeldChild[];
let kindsPid: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-realproc-'));
  fs.chmodSync(tmp, 0o755);
  deletedPath = path.join(tmp, 'pinned.log');
  fs.writeFileSync(deletedPath, Buffer.alloc(DELETED_SIZE, 1), { mode: 0o644 });
  fdholderBinary();
  const tcp4 = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
  const tcp6 = await startNodeListener({ protocol: 'tcp', host: '::1' });
  const udp4 = await startNodeListener({ protocol: 'udp', host: '127.0.0.1' });
  const asNobody = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1', uid: NOBODY, gid: NOBODY });
  prefork = await startFdHolder(['prefork', '0', '3']);
  const kinds = await startFdHolder(['kinds', String(KINDS_N)], { uid: DAEMON, gid: DAEMON });
  holders = [await startFdHolder(['hold', deletedPath], { uid: BIN, gid: BIN }), await startFdHolder(['hold', deletedPath], { uid: BIN, gid: BIN })];
  deletedAllocated = Number(fs.statSync(deletedPath).blocks) * 512;
  fs.unlinkSync(deletedPath);
  kindsPid = kinds.pid;
  children = [tcp4, tcp6, udp4, asNobody, prefork, kinds, ...holders];
  Object.assign(ports, { tcp4: tcp4.port, tcp6: tcp6.port, udp4: udp4.port, nobody: asNobody.port, prefork: prefork.port });
  exporter = await startExporter();
  // Two scans after all children were ready: the second starts after they all exist.
  await exporter.waitForScans(3);
  exposition = await exporter.metrics();
}, 120_000);

afterAll(async () => {
  await exporter?.stop();
  await Promise.all(children.map((c) => c.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** protocol address:port of each child's socket: ports alone may repeat across families. */
function ourSockets(): Set<string> {
  return new Set([`tcp 127.0.0.1:${ports.tcp4}`, `tcp ::1:${ports.tcp6}`, `udp 127.0.0.1:${ports.udp4}`, `tcp 127.0.0.1:${ports.nobody}`, `tcp 127.0.0.1:${ports.prefork}`]);
}

function isOurs(l: Record<string, string>): boolean {
  return ourSockets().has(`${l.protocol} ${l.address}:${l.port}`);
}

function ourListeners() {
  return samplesOf(exposition, 'lsof_listener_processes')
    .filter((s) => isOurs(s.labels))
    .map((s) => `${s.labels.protocol} ${s.labels.family} ${s.labels.address}:${s.labels.port} ${s.labels.user} ${s.labels.process} ${s.labels.executable} =${s.value}`)
    .sort();
}

describe('exporter on the real /proc', () => {
  it('shows exactly the children\'s listeners with user, process, executable and worker count', () => {
    const node = fs.realpathSync(process.execPath);
    expect(ourListeners()).toEqual(
      [
        `tcp ipv4 127.0.0.1:${ports.tcp4} root ${NODE_COMM} ${node} =1`,
        `tcp ipv6 ::1:${ports.tcp6} root ${NODE_COMM} ${node} =1`,
        `udp ipv4 127.0.0.1:${ports.udp4} root ${NODE_COMM} ${node} =1`,
        `tcp ipv4 127.0.0.1:${ports.nobody} nobody ${NODE_COMM} ${node} =1`,
        `tcp ipv4 127.0.0.1:${ports.prefork} root ${fdholderComm()} ${fdholderBinary()} =4`,
      ].sort(),
    );
  });

  it('agrees with ss -ltnupH on those listeners and their processes', () => {
    const ss = execFileSync('ss', ['-ltnupH']).toString();
    const fromSs = new Set<string>();
    for (const line of ss.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 6) continue;
      const local = f[4]!;
      const port = local.slice(local.lastIndexOf(':') + 1);
      const address = local.slice(0, local.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
      if (!isOurs({ protocol: f[0]!, address, port })) continue;
      const comms = new Set([...line.matchAll(/\("([^"]+)",pid=(\d+)/g)].map((m) => m[1]));
      const pids = [...line.matchAll(/pid=(\d+)/g)].length;
      fromSs.add(`${f[0]} ${address}:${port} ${[...comms].join(',')} =${pids}`);
    }
    const fromUs = new Set(
      samplesOf(exposition, 'lsof_listener_processes')
        .filter((s) => isOurs(s.labels))
        .map((s) => `${s.labels.protocol} ${s.labels.address}:${s.labels.port} ${s.labels.process} =${s.value}`),
    );
    expect(fromUs).toEqual(fromSs);
  });

  it('counts each descriptor type of a known child exactly, as lsof -p sees them', () => {
    const fds = Object.fromEntries(
      samplesOf(exposition, 'lsof_open_fds')
        .filter((s) => s.labels.user === 'daemon' && s.labels.process === fdholderComm())
        .map((s) => [s.labels.type, s.value]),
    );
    const n = KINDS_N;
    // What the child created, at least (it may also inherit descriptors from whoever runs the tests).
    expect(fds).toMatchObject({ device: n, anon_eventfd: n, anon_eventpoll: n, anon_timerfd: n, anon_signalfd: n, anon_inotify: n });
    expect(fds.file).toBeGreaterThanOrEqual(2 * n);
    expect(fds.pipe).toBeGreaterThanOrEqual(2 * n);
    expect(fds.socket_unix).toBeGreaterThanOrEqual(2 * n);
    // And exactly what lsof sees for that process.
    expect(fds).toEqual(lsofFdTypes(kindsPid));
    const procs = samplesOf(exposition, 'lsof_processes').find((s) => s.labels.user === 'daemon' && s.labels.process === fdholderComm());
    expect(procs?.value).toBe(1);
  });

  it('counts a deleted file held by two processes once, with its size and the disk space it pins', () => {
    const pick = (name: string) => samplesOf(exposition, name).find((s) => s.labels.user === 'bin' && s.labels.process === fdholderComm())?.value;
    expect(pick('lsof_deleted_open_files')).toBe(1);
    expect(deletedAllocated).toBeGreaterThanOrEqual(DELETED_SIZE);
    expect(pick('lsof_deleted_open_bytes')).toBe(deletedAllocated);
    const top = samplesOf(exposition, 'lsof_deleted_open_file_size_bytes').filter((s) => s.labels.path === deletedPath);
    expect(top).toHaveLength(1);
    expect(top[0]!.value).toBe(DELETED_SIZE);
    expect(top[0]!.labels.pid).toBe(String(Math.min(...holders.map((h) => h.pid))));
  });

  it('agrees with lsof +L1 on the deleted file: holders, size and inode', () => {
    // lsof exits 1 when some of its checks find nothing; its output is still complete.
    let out: string;
    try {
      out = execFileSync('lsof', ['-nP', '-a', '+L1', '-p', holders.map((h) => h.pid).join(',')], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch (err) {
      out = (err as { stdout: Buffer }).stdout.toString();
    }
    const rows = out
      .split('\n')
      .filter((l) => l.includes(deletedPath))
      .map((l) => l.trim().split(/\s+/));
    // COMMAND PID USER FD TYPE DEVICE SIZE/OFF NLINK NODE NAME
    expect(rows.map((r) => Number(r[1])).sort()).toEqual(holders.map((h) => h.pid).sort());
    const top = samplesOf(exposition, 'lsof_deleted_open_file_size_bytes').find((s) => s.labels.path === deletedPath)!;
    for (const r of rows) {
      expect(Number(r[6])).toBe(DELETED_SIZE);
      expect(r[7]).toBe('0');
      expect(r[8]).toBe(top.labels.inode);
    }
  });

  it('passes promtool check metrics', () => {
    const file = path.join(tmp, 'metrics.prom');
    fs.writeFileSync(file, exposition);
    const out = execFileSync('sh', ['-c', `promtool check metrics < '${file}' 2>&1; echo "exit=$?"`]).toString();
    expect(out.trim()).toBe('exit=0');
  });

  it('follows a worker pool when one worker exits', async () => {
    const workers = fs.readFileSync(`/proc/${prefork.pid}/task/${prefork.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(workers).toHaveLength(3);
    process.kill(workers[0]!, 'SIGKILL');
    await exporter.waitForScans(Number(/^lsof_scans_total\{result="success"\} (\d+)/m.exec(await exporter.metrics())![1]) + 2);
    const m = await exporter.metrics();
    const series = samplesOf(m, 'lsof_listener_processes').filter((s) => s.labels.address === '127.0.0.1' && s.labels.port === String(ports.prefork));
    expect(series.map((s) => s.value)).toEqual([3]);
  });
});

/** lsof's view of one process's descriptors, mapped to our fd types (lsof -F: t=TYPE, n=NAME). */
function lsofFdTypes(pid: number): Record<string, number> {
  let out: string;
  try {
    out = execFileSync('lsof', ['-nP', '-a', '-p', String(pid), '-d', '0-999999', '-F', 'ftn'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch (err) {
    out = (err as { stdout: Buffer }).stdout.toString();
  }
  const counts: Record<string, number> = {};
  let type = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('t')) type = line.slice(1);
    if (!line.startsWith('n')) continue;
    const name = line.slice(1);
    const ours = lsofTypeToOurs(type, name);
    counts[ours] = (counts[ours] ?? 0) + 1;
  }
  return counts;
}

function lsofTypeToOurs(type: string, name: string): string {
  if (type === 'REG' || type === 'DIR') return 'file';
  if (type === 'CHR' || type === 'BLK') return 'device';
  if (type === 'FIFO') return 'pipe';
  if (type === 'unix') return 'socket_unix';
  if (type === 'IPv4' || type === 'IPv6') return name.includes('UDP') ? 'socket_udp' : 'socket_tcp';
  if (type === 'a_inode') {
    const kind = /\[(\w+)/.exec(name);
    const k = kind?.[1] ?? (name.includes('inotify') ? 'inotify' : '');
    return ['eventfd', 'eventpoll', 'inotify', 'timerfd', 'signalfd'].includes(k) ? `anon_${k}` : 'anon_other';
  }
  return `lsof:${type}`;
}
