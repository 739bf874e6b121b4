/**
 * A new listener seen by the poll is attributed to its process without a full scan (issues 14 item 5,
 * 16 part 1): with full scans an hour apart, it reaches /metrics with its process and user, and the
 * scan count does not move. A listener that lives one second stays on /metrics for the hold time.
 * Real children on the real kernel, as root and as another account.
 */
import { execFileSync, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf, type ParsedSample } from '../support/exposition.js';
import { NODE_COMM, started, startNodeListener } from '../support/children.js';
import { waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const NOBODY = 65534;

async function scrape(exporter: RunningExporter) {
  const text = await exporter.metrics();
  const one = (name: string, labels: Record<string, string> = {}) =>
    samplesOf(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
  return {
    listeners: samplesOf(text, 'lsof_listener_processes'),
    scans: one('lsof_scans_total', { result: 'success' }),
    attributed: one('lsof_listener_attributions_total', { result: 'attributed' }),
    fullScan: one('lsof_listener_attributions_total', { result: 'full_scan' }),
  };
}

/** Whether ss sees a TCP listener on that loopback port now. */
function listening(port: number): boolean {
  return execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim() !== '';
}

const onPort = (port: number) => (s: ParsedSample) => s.labels.port === String(port) && s.labels.address === '127.0.0.1';

/** A full scan, then none for an hour: whatever appears later came from the poll. */
async function pollOnlyExporter(extra: string[] = []): Promise<RunningExporter> {
  const exporter = await startExporter(['--scan.interval=1h', '--scan.min-interval=1h', '--scan.listener-poll-interval=100ms', ...extra]);
  cleanups.push(() => exporter.stop());
  return exporter;
}

/** A node child that listens on loopback for `ms`, then closes the listener and stays alive. */
async function briefListener(ms: number) {
  const script = `const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log('ready',process.pid,s.address().port);setTimeout(()=>{s.close();console.log('closed')},${ms});});process.stdin.on('end',()=>process.exit(0));process.stdin.resume();`;
  const held = await started(spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] }), 'brief listener');
  cleanups.push(() => held.stop());
  return held;
}

describe('a listener the poll sees', () => {
  it('is on /metrics with its process and user, as root and as another account, with no full scan', async () => {
    const exporter = await pollOnlyExporter();
    const before = await scrape(exporter);
    for (const uid of [0, NOBODY]) {
      const l = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1', uid, gid: uid });
      cleanups.push(() => l.stop());
      const user = uid === 0 ? 'root' : 'nobody';
      await waitFor(async () => (await scrape(exporter)).listeners.some((s) => onPort(l.port)(s) && s.labels.process === NODE_COMM && s.labels.user === user), `the ${user} listener on /metrics`, 15_000);
    }
    const after = await scrape(exporter);
    expect(after.scans).toBe(before.scans);
    expect(after.attributed - before.attributed).toBeGreaterThanOrEqual(2);
    expect(after.fullScan).toBe(before.fullScan);
  }, 60_000);

  it('stays on /metrics for the hold time after a one-second life', async () => {
    const exporter = await pollOnlyExporter(['--scan.listener-hold-time=1h']);
    const before = await scrape(exporter);
    for (let trial = 0; trial < 3; trial++) {
      const l = await briefListener(1000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(listening(l.port)).toBe(false); // closed half a second ago
      const s = await scrape(exporter);
      expect(s.listeners.filter(onPort(l.port)).map((x) => [x.labels.process, x.labels.user, x.value])).toEqual([[NODE_COMM, 'root', 1]]);
    }
    expect((await scrape(exporter)).scans).toBe(before.scans);
  }, 60_000);
});
