/**
 * Listeners in network namespaces this test creates (we are root): the same 127.0.0.1 port held by a
 * host process, by a node in a plain `unshare --net`, by a pre-forked fdholder as nobody in another,
 * and by a node that is PID 1 of its own PID and mount namespace. Each must be its own series with its
 * own netns (the host one netns=""), attributed to the right host pid, user and executable: through
 * the Scanner, through the built exporter on /proc, on a procfs mounted elsewhere, and from an exporter
 * that itself runs in its own network and PID namespace reading the host's proc (the DaemonSet shape).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcFs } from '../../src/procfs/proc.js';
import { Scanner } from '../../src/scan/scanner.js';
import { hostNetns } from '../../src/scan/host-netns.js';
import type { ScanContext } from '../../src/scan/context.js';
import { NODE_COMM, fdholderBinary, fdholderComm, startNodeListener, type HeldChild } from '../support/children.js';
import { MAIN_JS, mainJsForAnyUid, nobodyCanRead, startExporter, stopChild, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { netnsOfPid, nodeTcpListenerArgv, SLOW_HOST_WAIT_MS, startInNamespace, waitForExposition, type NamespacedChild } from '../support/netns-children.js';
import { waitFor } from '../support/wait.js';

const NOBODY = 65534;
const WORKERS = 2;
const NO_CACHE = { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: true, deletedFiles: true };
const TEST_TIMEOUT_MS = SLOW_HOST_WAIT_MS + 30_000;

let host: HeldChild;
let plain: NamespacedChild;
let prefork: NamespacedChild;
let pidns: NamespacedChild;
let port: number;
let tmp: string;
const mounts: string[] = [];
const exporters: RunningExporter[] = [];
let node: string;

beforeAll(async () => {
  node = fs.realpathSync(process.execPath);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-netns-'));
  host = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
  port = host.port;
  plain = await startInNamespace(nodeTcpListenerArgv(port));
  prefork = await startInNamespace([fdholderBinary(), 'prefork', String(port), String(WORKERS)], { uid: NOBODY });
  pidns = await startInNamespace(nodeTcpListenerArgv(port), { pidAndMount: true });
}, 60_000);

afterAll(async () => {
  await Promise.all(exporters.map((e) => e.stop()));
  await Promise.all([host, plain, prefork, pidns].filter(Boolean).map((c) => c.stop()));
  for (const m of mounts.reverse()) execFileSync('umount', ['-l', m]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A procfs at a new path: a fresh `mount -t proc` or a bind of /proc, unmounted in afterAll. */
function mountProc(kind: 'fresh' | 'bind'): string {
  const dir = fs.mkdtempSync(path.join(tmp, `${kind}-proc-`));
  execFileSync('mount', kind === 'fresh' ? ['-t', 'proc', 'proc', dir] : ['--bind', '/proc', dir]);
  mounts.push(dir);
  return dir;
}

/** "netns user process executable =value" for every series on the shared port. */
function seriesOnPort(exposition: string, hostLabel: string): string[] {
  return samplesOf(exposition, 'lsof_listener_processes')
    .filter((s) => s.labels.port === String(port) && s.labels.address === '127.0.0.1')
    .map((s) => {
      const l = s.labels;
      expect([l.container_id, l.container_runtime, l.pod_uid]).toEqual(['', '', '']);
      return `${l.netns === '' ? hostLabel : l.netns} ${l.user} ${l.process} ${l.executable} =${s.value}`;
    })
    .sort();
}

function expectedSeries(hostLabel: string): string[] {
  return [
    `${hostLabel} root ${NODE_COMM} ${node} =1`,
    `${plain.netns} root ${NODE_COMM} ${node} =1`,
    `${prefork.netns} nobody ${fdholderComm()} ${fdholderBinary()} =${1 + WORKERS}`,
    `${pidns.netns} root ${NODE_COMM} ${node} =1`,
  ].sort();
}

/** The series on the shared port once all four are there (a scan may predate a child's listen). */
async function listenersSeenByExporter(args: string[], as: { uid?: number; gid?: number } = {}): Promise<string[]> {
  const exporter = await startExporter(args, { waitForFirstScan: false, ...as });
  exporters.push(exporter);
  const metrics = () => exporter.metrics();
  return waitForExposition(metrics, (text) => (seriesOnPort(text, 'HOST').length >= 4 ? seriesOnPort(text, 'HOST') : undefined), 'four listeners on the shared port');
}

function scanWith(root: string): { snapshot: ScanContext; hostNs: string } {
  const procfs = ProcFs.at(root);
  return { snapshot: new Scanner(procfs, NO_CACHE).scan(), hostNs: hostNetns(procfs) };
}

describe('listeners in network namespaces', () => {
  it('the children really are in four distinct namespaces', () => {
    const ours = new Set([netnsOfPid(host.pid), plain.netns, prefork.netns, pidns.netns]);
    expect(ours.size).toBe(4);
    // The PID-namespace child knows itself as 1; the host numbers it otherwise.
    const nspid = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pidns.hostPid}/status`, 'utf8'))![1]!.split(/\s+/);
    expect(nspid).toEqual([String(pidns.hostPid), '1']);
  });

  it.each(['/proc', 'bind'] as const)('the Scanner on %s attributes each namespace\'s listener to its own host pids', (where) => {
    const { snapshot, hostNs } = scanWith(where === '/proc' ? '/proc' : mountProc('bind'));
    const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]));
    const onPort = snapshot.listeners.filter((l) => l.port === port && l.protocol === 'tcp');
    const byNetns = new Map(onPort.map((l) => [l.netns, l]));
    expect(onPort).toHaveLength(4);
    expect(byNetns.get(hostNs)?.holders).toEqual([host.pid]);
    expect(byNetns.get(plain.netns)?.holders).toEqual([plain.hostPid]);
    expect(byNetns.get(pidns.netns)?.holders).toEqual([pidns.hostPid]);
    const workers = byNetns.get(prefork.netns)!.holders;
    expect(workers).toHaveLength(1 + WORKERS);
    expect(workers).toContain(prefork.hostPid);
    for (const pid of workers) {
      const p = byPid.get(pid)!;
      expect([p.user, p.comm, p.exe, p.netns]).toEqual(['nobody', fdholderComm(), fdholderBinary(), prefork.netns]);
    }
    const inPidns = byPid.get(pidns.hostPid)!;
    expect([inPidns.user, inPidns.comm, inPidns.exe, inPidns.netns]).toEqual(['root', NODE_COMM, node, pidns.netns]);
  }, TEST_TIMEOUT_MS);

  it('the exporter on /proc shows one series per namespace, the host one with netns=""', async () => {
    expect(await listenersSeenByExporter([])).toEqual(expectedSeries('HOST'));
  }, TEST_TIMEOUT_MS);

  it('the exporter on a procfs mounted elsewhere (--path.procfs) shows the same', async () => {
    expect(await listenersSeenByExporter([`--path.procfs=${mountProc('fresh')}`])).toEqual(expectedSeries('HOST'));
  }, TEST_TIMEOUT_MS);

  it('--once prints one line per namespace, naming the namespace of those that are not the host\'s', () => {
    const out = execFileSync(process.execPath, [MAIN_JS, '--once'], { encoding: 'utf8', timeout: SLOW_HOST_WAIT_MS });
    const ours = out.split('\n').filter((line) => line.includes(`/127.0.0.1:${port}`));
    expect(ours.sort()).toEqual(
      [
        `${NODE_COMM}/root/127.0.0.1:${port}`,
        `${NODE_COMM}/root/127.0.0.1:${port} netns=${plain.netns}`,
        `${fdholderComm()}/nobody/127.0.0.1:${port} netns=${prefork.netns}`,
        `${NODE_COMM}/root/127.0.0.1:${port} netns=${pidns.netns}`,
      ].sort(),
    );
  }, TEST_TIMEOUT_MS);

  // nobody must be able to read the checkout (not so when it lives under a 0700 home folder).
  it.skipIf(!nobodyCanRead(mainJsForAnyUid()))('an unprivileged exporter (nobody) still reads every namespace, naming those it may not by their tables', async () => {
    const tablesOf = (pid: number) => `?${fs.statSync(`/proc/${pid}/net/tcp`).ino}`;
    const seen = await listenersSeenByExporter([], { uid: NOBODY, gid: NOBODY });
    // Root's descriptors and ns links are closed to nobody: those sockets have no visible holder
    // (value 0, the socket's uid, no process), and their namespaces are named by their tables.
    expect(seen).toEqual(
      [
        'HOST root   =0',
        `${tablesOf(plain.hostPid)} root   =0`,
        `${prefork.netns} nobody ${fdholderComm()} ${fdholderBinary()} =${1 + WORKERS}`,
        `${tablesOf(pidns.hostPid)} root   =0`,
      ].sort(),
    );
  }, TEST_TIMEOUT_MS);

  it('an exporter in its own network and PID namespace, reading the host proc, still calls the host netns ""', async () => {
    const hostProc = mountProc('fresh');
    const textfile = path.join(tmp, 'daemonset.prom');
    const child: ChildProcess = spawn(
      'unshare',
      ['--net', '--pid', '--mount-proc', '--kill-child', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh',
        process.execPath, MAIN_JS, `--path.procfs=${hostProc}`, `--output.textfile=${textfile}`, '--scan.interval=1s', '--web.listen-address=127.0.0.1:10411'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let logs = '';
    child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    try {
      const exposition = await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`exporter exited ${child.exitCode}: ${logs}`);
        const text = fs.existsSync(textfile) ? fs.readFileSync(textfile, 'utf8') : '';
        return seriesOnPort(text, 'HOST').length === 4 ? text : undefined;
      }, 'the textfile with the four listeners', SLOW_HOST_WAIT_MS);
      expect(seriesOnPort(exposition, 'HOST')).toEqual(expectedSeries('HOST'));
    } finally {
      await stopChild(child);
    }
  }, TEST_TIMEOUT_MS);
});
