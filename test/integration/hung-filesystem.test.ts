/**
 * Issue 14, item 9: a hung filesystem must not stop the sensor. A real FUSE filesystem
 * (test/fixtures/c/hangfs.c) whose getattr never answers once its file is open; a child holds that
 * file, named "held (deleted)" so the scan stats it through /proc/PID/fd/N, the way an attacker
 * would plant it. The stat blocks in the kernel: the exporter must abandon that scan at
 * --scan.timeout, count it, replace its worker, skip the file from then on, and keep scanning.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFixture, startFdHolder, type HeldChild } from '../support/children.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { waitFor } from '../support/wait.js';

const SCAN_TIMEOUT_S = 3;

let tmp: string;
let mountpoint: string;
let fuse: ChildProcess | undefined;
let holder: HeldChild | undefined;
let exporter: RunningExporter | undefined;
let probe: ChildProcess | undefined;

function hangfsBinary(): string {
  const pkg = (what: string) => execFileSync('pkg-config', [what, 'fuse3']).toString().trim().split(/\s+/);
  return compileFixture('hangfs', 'hangfs', pkg('--cflags'), pkg('--libs'));
}

function isMounted(dir: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === dir);
}

function successes(text: string): number {
  return samplesOf(text, 'lsof_scans_total').find((s) => s.labels.result === 'success')!.value;
}

function value(text: string, name: string): number {
  const [s] = samplesOf(text, name);
  if (!s) throw new Error(`${name} missing`);
  return s.value;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-hangfs-'));
  mountpoint = path.join(tmp, 'mnt');
  fs.mkdirSync(mountpoint);
  fuse = spawn(hangfsBinary(), [mountpoint], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitFor(() => isMounted(mountpoint), 'the FUSE mount', 10_000);
  holder = await startFdHolder(['hold', path.join(mountpoint, 'held (deleted)')]);
  // From here on, a stat of the held file never returns (the kernel shows the stat in D state).
  exporter = await startExporter([`--scan.timeout=${SCAN_TIMEOUT_S}s`, '--scan.interval=1s'], { firstScanTimeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  // The daemon first: killing it aborts the connection, which fails the blocked stat and frees the
  // exporter's abandoned worker (a thread waiting on a FUSE answer ignores even SIGKILL).
  if (fuse?.pid) fuse.kill('SIGKILL');
  await exporter?.stop();
  await holder?.stop();
  if (probe && probe.exitCode === null && probe.signalCode === null) await new Promise((r) => probe!.once('exit', r));
  if (fuse && fuse.exitCode === null && fuse.signalCode === null) await new Promise((r) => fuse!.once('exit', r));
  if (mountpoint && isMounted(mountpoint)) execFileSync('umount', ['-l', mountpoint]);
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('a stat that never returns (hung FUSE getattr)', () => {
  it('really blocks: a plain stat of the held file does not return', async () => {
    const stat = spawn('stat', ['-L', `/proc/${holder!.pid}/fd/3`], { stdio: 'ignore' });
    probe = stat; // stays blocked until afterAll kills the daemon, and exits then
    const exited = await Promise.race([new Promise((r) => stat.once('exit', () => r(true))), new Promise((r) => setTimeout(() => r(false), 1500))]);
    expect(exited).toBe(false);
  });

  it('abandons the stuck scan, counts it, and keeps serving fresh scans from a new worker', async () => {
    const e = exporter!;
    await e.waitForScans(successes(await e.metrics()) + 3, 60_000);
    const text = await e.metrics();
    expect(value(text, 'lsof_scans_abandoned_total')).toBe(1);
    expect(value(text, 'lsof_scan_hung_targets')).toBe(1);
    expect(Date.now() / 1000 - value(text, 'lsof_scan_last_success_timestamp_seconds')).toBeLessThan(10);
    expect(e.logs()).toContain(`/proc/${holder!.pid}/fd/3`);
  });

  it('skips the file that hung from then on: no further scan is abandoned', async () => {
    const e = exporter!;
    await e.waitForScans(successes(await e.metrics()) + 3, 60_000);
    expect(value(await e.metrics(), 'lsof_scans_abandoned_total')).toBe(1);
  });
});
