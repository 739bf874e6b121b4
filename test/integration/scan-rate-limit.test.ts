/**
 * A user who opens listeners in a loop (issue 14, item 5) must not keep the exporter scanning: a poll
 * that sees a new listener it cannot attribute (listener-attribution.test.ts covers those it can)
 * starts a full scan early, but no sooner than --scan.min-interval after the last one ended. The first
 * new listener is still on /metrics within a poll and a scan.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf, type ParsedSample } from '../support/exposition.js';
import { waitFor } from '../support/wait.js';
import { started, type HeldChild } from '../support/children.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/**
 * A python child that, once its stdin says "go", opens a loopback listener every `everyMs` and
 * leaves it held only in flight (sent over a unix socketpair with SCM_RIGHTS, its descriptor
 * closed): no process holds it, so the poll cannot attribute it and must ask for a full scan. It
 * exits when its stdin closes.
 */
async function listenerLoop(everyMs: number): Promise<HeldChild> {
  const script = [
    'import os, select, socket, sys',
    'held = []',
    "print('ready', os.getpid(), 0, flush=True)",
    'sys.stdin.readline()',
    `while not select.select([sys.stdin], [], [], ${everyMs / 1000})[0]:`,
    "    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()",
    '    a, b = socket.socketpair()',
    "    socket.send_fds(a, [b'x'], [l.fileno()])",
    '    l.close()',
    '    held.append((a, b))',
  ].join('\n');
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
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
    // It has no holder: it shows with the socket's user and no process (value 0).
    const looped = (s: ParsedSample) => s.labels.process === '' && s.labels.user === 'root' && s.labels.address === '127.0.0.1';
    await waitFor(async () => samplesOf(await exporter.metrics(), 'lsof_listener_processes').some(looped), 'first looped listener on /metrics', 10_000);
    const firstSeenMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 10_000 - Math.min(firstSeenMs, 10_000)));
    const scans = (await successfulScans(exporter)) - before;
    const elapsed = (Date.now() - t0) / 1000;
    // Unlimited, a poll every 100 ms with a new listener each time would scan back to back.
    expect(scans).toBeGreaterThanOrEqual(2);
    expect(scans).toBeLessThanOrEqual(Math.ceil(elapsed / 2) + 1);
  }, 60_000);
});
