/**
 * A collector that is down, slow, answers 500 or 400, or resets connections: the built exporter must
 * keep scanning and serving /metrics, keep its memory and connections bounded, and log each outage
 * once (a warning) and its end once ("recovered"), not once per failed export.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceiverMode } from '../support/otlp-receiver.js';
import { waitFor } from '../support/wait.js';

const INTERVAL_MS = 300;
const TIMEOUT_MS = 250;
/** Each outage lasts this many export intervals. */
const OUTAGE_INTERVALS = 8;
const FAILING = 'OTLP export failing; further failures are not logged until it recovers';
const RECOVERED = 'OTLP export recovered';

let receiver: OtlpReceiver;
let exporter: RunningExporter;
/** The same exporter without OTLP, scanning the same /proc: what RSS does without the push. */
let control: RunningExporter;
const rssKiB: number[] = [];
const controlRssKiB: number[] = [];
const scrapeMs: number[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  exporter = await startExporter(['--log.format=json'], {
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
      OTEL_METRIC_EXPORT_INTERVAL: String(INTERVAL_MS),
      OTEL_EXPORTER_OTLP_TIMEOUT: String(TIMEOUT_MS),
    },
  });
  control = await startExporter([], { env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '' } });
  await waitFor(() => receiver.exports.length >= 2, 'exports to a healthy receiver', 20_000);
  sampleRss();
}, 60_000);

afterAll(async () => {
  await control?.stop();
  await exporter?.stop();
  await receiver?.stop();
});

function rss(e: RunningExporter): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${e.child.pid}/status`, 'utf8'))![1]);
}

function sampleRss(): void {
  rssKiB.push(rss(exporter));
  controlRssKiB.push(rss(control));
}

function logLines(): { msg: string; level: string }[] {
  return exporter
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; level: string });
}

const count = (msg: string) => logLines().filter((l) => l.msg === msg).length;

async function successfulScans(): Promise<number> {
  const started = Date.now();
  const text = await exporter.metrics();
  scrapeMs.push(Date.now() - started);
  return samplesOf(text, 'lsof_scans_total').find((s) => s.labels.result === 'success')!.value;
}

/**
 * Scrape /metrics every 100ms for at least `ms` and until two more scans have completed (within a
 * deadline, for a slow machine); every scrape must answer. Returns the scans seen.
 */
async function scrapeThrough(ms: number): Promise<{ first: number; last: number }> {
  const first = await successfulScans();
  let last = first;
  const until = Date.now() + ms;
  const deadline = Date.now() + 60_000;
  while (Date.now() < until || (last < first + 2 && Date.now() < deadline)) {
    last = await successfulScans();
    await new Promise((r) => setTimeout(r, 100));
  }
  return { first, last };
}

async function outage(start: () => Promise<void> | void, end: () => Promise<void> | void) {
  const warnings = count(FAILING);
  const recoveries = count(RECOVERED);
  const requestsBefore = receiver.requests();
  await start();
  const scans = await scrapeThrough(OUTAGE_INTERVALS * INTERVAL_MS);
  await waitFor(() => count(FAILING) > warnings, 'the outage warning', 10_000);
  const warningsDuring = count(FAILING) - warnings;
  const attempts = receiver.requests() - requestsBefore;
  const exportsBefore = receiver.exports.length;
  await end();
  await waitFor(() => count(RECOVERED) > recoveries && receiver.exports.length > exportsBefore, 'recovery', 15_000);
  sampleRss();
  return { scans, warningsDuring, recoveredLines: count(RECOVERED) - recoveries, warningsAfter: count(FAILING) - warnings, attempts };
}

const modes: [string, ReceiverMode][] = [
  ['answers 500', 'status-500'],
  ['answers 400', 'status-400'],
  ['accepts and never answers', 'slow'],
  ['resets connections', 'reset'],
];

describe('exporter with a failing OTLP collector', { timeout: 120_000 }, () => {
  it('keeps scanning and serving /metrics while the collector is down (connection refused), and logs the outage once', async () => {
    const r = await outage(
      () => receiver.goDown(),
      () => receiver.comeBack(),
    );
    expect(r.scans.last).toBeGreaterThan(r.scans.first);
    expect(r.warningsDuring).toBe(1);
    expect(r.warningsAfter).toBe(1);
    expect(r.recoveredLines).toBe(1);
  });

  it.each(modes)('keeps scanning and serving /metrics while the collector %s, and logs the outage once', async (_what, mode) => {
    const r = await outage(
      () => receiver.setMode(mode),
      () => receiver.setMode('ok'),
    );
    expect(r.scans.last).toBeGreaterThan(r.scans.first);
    // The exporter kept trying (one request per interval, give or take retries) but warned once.
    expect(r.attempts).toBeGreaterThanOrEqual(3);
    expect(r.warningsDuring).toBe(1);
    expect(r.warningsAfter).toBe(1);
    expect(r.recoveredLines).toBe(1);
  });

  it('leaves at most two exports hanging on a collector that never answers', async () => {
    receiver.setMode('slow');
    let most = 0;
    const until = Date.now() + 6 * INTERVAL_MS;
    while (Date.now() < until) {
      most = Math.max(most, receiver.hangingRequests());
      await new Promise((r) => setTimeout(r, 20));
    }
    receiver.setMode('ok');
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    await waitFor(() => count(RECOVERED) === count(FAILING), 'recovery after the slow spell', 15_000);
  });

  it('answered every scrape quickly and kept its memory bounded through all outages', () => {
    // Generous bounds for a loaded 2-core CI machine: the point is "not blocked for an export timeout
    // or longer" and "not growing with every failed export".
    expect(Math.max(...scrapeMs)).toBeLessThan(5000);
    expect(rssKiB.length).toBe(1 + 1 + modes.length);
    // From before the first outage to after the last, less what the same exporter without OTLP grew
    // meanwhile (the host's process count, and so the snapshot, changes under other tests).
    const growthKiB = rssKiB.at(-1)! - rssKiB[0]!;
    const controlGrowthKiB = controlRssKiB.at(-1)! - controlRssKiB[0]!;
    console.log(
      `OTLP outage test: RSS KiB per phase ${rssKiB.join(', ')} (without OTLP: ${controlRssKiB.join(', ')}); ` +
        `growth ${growthKiB} KiB vs ${controlGrowthKiB} KiB; scrapes ${scrapeMs.length}, slowest ${Math.max(...scrapeMs)} ms`,
    );
    expect(growthKiB - controlGrowthKiB).toBeLessThan(32 * 1024);
  });
});
