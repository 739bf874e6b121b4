/**
 * `npm run bench:ui`: the page (/ui) against the exporter as run, scanning the synthetic workload
 * (bench/workload.ts): how long each view takes to render in Debian's chromium, and what the page's
 * digest costs the exporter in RSS.
 *
 *   node dist/bench/ui-render.js [--procs=500 --fds=1000] [--runs=5] [--rss-scans=30]
 *
 * Render time of a view = from the start of a fresh page load (navigation start) until its table is
 * drawn (the page's `view:NAME` performance mark: fetch, JSON parse, filter options, first 200 rows),
 * after one unmeasured load (a fresh browser profile's first page pays the browser's start-up).
 * The one-process view reads a workload process of F descriptors live; the open-file search looks for
 * the file every workload process holds (about a third of its descriptors), and for everything under
 * the workload's folder (+D), through the scan's open-path index.
 * RSS: two exporters at once (1s scans, the same host and load), without and with --web.ui.enable
 * --web.ui.process-view (the page's digest and the open-path index); sampled after each scan from
 * the 10th on; median and peak.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser.js';
import { compileHelpers } from './tools.js';
import { Workload } from './workload.js';
import { rssBytes, scansOf, startExporter, type Exporter } from './exporter-bench.js';
import { median } from './stats.js';

const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function flag(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
}

interface RssResult {
  median: number;
  peak: number;
}

/**
 * Two exporters side by side (1s scans), one without and one with --web.ui.enable, so both see the
 * same host and the same load; RSS of each sampled after each of its scans from the 10th on.
 */
async function rssSideBySide(scans: number): Promise<{ off: RssResult; on: RssResult }> {
  const off = await startExporter(['--scan.interval=1s']);
  // with the process view on, the scan also keeps the open-path index of the file search
  const on = await startExporter(['--scan.interval=1s', '--web.ui.enable', '--web.ui.process-view']);
  const samples = new Map<Exporter, number[]>([[off, []], [on, []]]);
  const last = new Map<Exporter, number>([[off, 0], [on, 0]]);
  try {
    while ([...last.values()].some((n) => n < scans)) {
      for (const e of [off, on]) {
        const n = scansOf((await e.metrics()).text);
        if (n !== last.get(e) && n >= 10 && n <= scans) samples.get(e)!.push(rssBytes(e.child.pid!));
        last.set(e, n);
      }
      await sleep(200);
    }
  } finally {
    await Promise.all([off.stop(), on.stop()]);
  }
  const summary = (xs: number[]) => ({ median: median(xs), peak: Math.max(...xs) });
  return { off: summary(samples.get(off)!), on: summary(samples.get(on)!) };
}

/** Milliseconds from navigation start until the page marked `view:NAME` (fetch + parse + draw). */
async function timeView(page: Page, origin: string, hash: string, mark: string, ready: () => Promise<void>): Promise<number> {
  await page.goto('about:blank');
  await page.goto(`${origin}/ui#${hash}`);
  await ready();
  return page.evaluate((m) => {
    const e = performance.getEntriesByName(m).at(-1);
    return e ? e.startTime + e.duration : NaN;
  }, mark);
}

async function renderTimes(exporter: Exporter, load: Workload, runs: number): Promise<Map<string, number[]>> {
  const origin = new URL(exporter.url).origin;
  const browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
  const times = new Map<string, number[]>();
  const add = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
  const pid = load.live[0]!.pid;
  try {
    const page = await browser.context.newPage();
    // one load first: a fresh profile's first page pays the browser's own start-up (about a second)
    await timeView(page, origin, 'listeners', 'view:listeners', () => page.locator('#listeners-table tbody tr').first().waitFor({ timeout: 60_000 }));
    for (let i = 0; i < runs; i++) {
      for (const view of ['listeners', 'deleted', 'processes'] as const) {
        add(view, await timeView(page, origin, view, `view:${view}`, () => page.locator(`#${view}-table tbody tr`).first().waitFor({ timeout: 60_000 })));
      }
      add('process', await timeView(page, origin, `process/${pid}`, 'view:process', () => page.locator('#descriptors-table tbody tr').first().waitFor({ timeout: 60_000 })));
      add('files', await timeFileSearch(page, origin, path.join(load.dir, 'held'), false));
      add('files under', await timeFileSearch(page, origin, load.dir, true));
      add('files (API alone)', await timeFileApi(origin, path.join(load.dir, 'held')));
    }
  } finally {
    await browser.close();
  }
  return times;
}

/** The open-file search's API answer alone (no browser): what the exporter's side costs. */
async function timeFileApi(origin: string, file: string): Promise<number> {
  const t0 = Date.now();
  const res = await fetch(`${origin}/api/v1/files?path=${encodeURIComponent(file)}`);
  const body = (await res.json()) as { index?: unknown };
  const ms = Date.now() - t0;
  log(`files API ${ms} ms, index ${JSON.stringify(body.index)}`);
  return ms;
}

/** The open-file search (`under`: +D): from submitting the form until the holders are drawn. */
async function timeFileSearch(page: Page, origin: string, file: string, under: boolean): Promise<number> {
  await page.goto('about:blank'); // a fresh page: the last search's rows must not satisfy the wait
  await page.goto(`${origin}/ui#files`);
  await page.fill('#file-path', file);
  await page.setChecked('#file-under', under);
  const t0 = Date.now();
  await page.click('#files-form button[type=submit]');
  await page.locator('#files-table tbody tr').first().waitFor({ timeout: 60_000 });
  return Date.now() - t0;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench runs as root (workload processes as nobody, RLIMIT_NOFILE)');
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.exit(130));
  const procs = flag('procs', 500);
  const fds = flag('fds', 1000);
  const bin = compileHelpers();
  const load = new Workload(bin.workload, { processes: procs, fdsPerProcess: fds, listenEvery: 5, nobodyEvery: 4 });
  try {
    log(`starting ${procs} x ${fds} workload`);
    await load.startAll();
    const rssScans = flag('rss-scans', 30);
    log('RSS without and with the page, side by side');
    const { off, on } = await rssSideBySide(rssScans);
    log('render times');
    const exporter = await startExporter(['--scan.interval=15s', '--web.ui.enable', '--web.ui.process-view']);
    let times: Map<string, number[]>;
    try {
      times = await renderTimes(exporter, load, flag('runs', 5));
    } finally {
      await exporter.stop();
    }
    const lines = [
      `# lsof-exporter page bench: ${procs} x ${fds}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, Linux ${os.release()}, Node ${process.version}`,
      '',
      '| view | median ms | max ms | runs |',
      '|---|---|---|---|',
      ...[...times].map(([view, ms]) => `| ${view} | ${median(ms).toFixed(0)} | ${Math.max(...ms).toFixed(0)} | ${ms.length} |`),
      '',
      `exporter RSS (scans 10-${rssScans}, 1s interval, side by side): without the page median ${mib(off.median)} peak ${mib(off.peak)}; with --web.ui.enable median ${mib(on.median)} peak ${mib(on.peak)}`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await load.stopAll();
    fs.rmSync(bin.dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
