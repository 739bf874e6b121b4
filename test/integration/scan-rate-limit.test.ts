/**
 * A user who opens listeners in a loop (issue 14, item 5) must not keep the exporter scanning: a poll
 * that sees a new listener starts a full scan early, but no sooner than --scan.min-interval after the
 * last one ended. The first new listener is still on /metrics within a poll and a scan.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { waitFor } from '../support/wait.js';
import { NODE_COMM, started, type HeldChild } from '../support/children.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A node child that opens a new loopback listener every `everyMs` once its stdin says "go". */
async function listenerLoop(everyMs: number): Promise<HeldChild> {
  const script = `const net=require('net');const ports=[];process.stdin.once('data',()=>{setInterval(()=>{const s=net.createServer();s.listen(0,'127.0.0.1');},${everyMs});});console.log('ready',process.pid,0);`;
  const child = spawn(process.execPath, ['-e', `${script}process.stdin.on('end',()=>process.exit(0));`], { stdio: ['pipe', 'pipe', 'pipe'] });
  return started(child, 'listener loop');
}

async function successfulScans(exporter: RunningExporter): Promise<number> {
  return samplesOf(await exporter.metrics(), 'lsof_scans_total').find((s) => s.labels.result === 'success')?.value ?? 0;
}

describe('early scans started by new listeners', () => {
  it('are at most one per --scan.min-interval while listeners keep appearing', async () => {
    const exporter = await startExporter(['--scan.interval=60s', '--scan.listener-poll-interval=100ms', '--scan.min-interval=2s']);
    cleanups.push(() => exporter.stop());
    const loop = await listenerLoop(100);
    cleanups.push(() => loop.stop());
    const before = await successfulScans(exporter);
    const t0 = Date.now();
    loop.child.stdin!.write('go\n');
    // The first new listener is picked up quickly: the last scan ended long enough ago.
    await waitFor(async () => samplesOf(await exporter.metrics(), 'lsof_listener_processes').some((s) => s.labels.process === NODE_COMM && s.labels.address === '127.0.0.1'), 'first looped listener on /metrics', 10_000);
    const firstSeenMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 10_000 - Math.min(firstSeenMs, 10_000)));
    const scans = (await successfulScans(exporter)) - before;
    const elapsed = (Date.now() - t0) / 1000;
    // Unlimited, a poll every 100 ms with a new listener each time would scan back to back.
    expect(scans).toBeGreaterThanOrEqual(2);
    expect(scans).toBeLessThanOrEqual(Math.ceil(elapsed / 2) + 1);
  }, 60_000);
});
