/**
 * The exporter as an operator runs it (dist/src/main.js, scans in its worker thread), under the
 * workload: /metrics latency from a concurrent client while scans run, RSS after N scans, and the
 * time from a listen() in the workload to the listener on /metrics with its process and user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ports.js';
import { percentile } from './stats.js';
import { NOBODY_UID, type Workload } from './workload.js';
import type { ScrapeSample } from './scrape-client.js';

/** The built exporter: ../src/main.js from dist/bench, ../dist/src/main.js from the sources (tests). */
const MAIN_JS = ['../src/main.js', '../dist/src/main.js'].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => fs.existsSync(p))!;
/** As every launcher of the project starts it (test/deploy/node-flags.test.ts). */
const MAIN_THREAD_FLAGS = ['--max-semi-space-size=1', '--heap-growing-percent=10', '--optimize-for-size', '--v8-pool-size=1', '--no-maglev'];
/** Extra Node flags for the exporter under the bench, for profiling it there (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const EXTRA_FLAGS = (process.env.LSOF_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

export interface Exporter {
  child: ChildProcess;
  url: string;
  metrics: () => Promise<{ text: string; ms: number }>;
  stop: () => Promise<void>;
}

export async function startExporter(args: string[]): Promise<Exporter> {
  const port = await freePort();
  const child = spawn(process.execPath, [...MAIN_THREAD_FLAGS, ...EXTRA_FLAGS, MAIN_JS, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  const metrics = async () => {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await res.text();
    return { text, ms: performance.now() - t0 };
  };
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exporter exited ${child.exitCode}`);
    try {
      if (scansOf((await metrics()).text) >= 1) return { child, url: `http://127.0.0.1:${port}/metrics`, metrics, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('exporter: no scan within 60 s');
    }
    await sleep(100);
  }
}

/** Highest sample of scans in (from, to]. */
function peak(byScan: Map<number, number>, from: number, to: number): number {
  return Math.max(0, ...[...byScan].filter(([scan]) => scan > from && scan <= to).map(([, rss]) => rss));
}

export function scansOf(text: string): number {
  return Number(/^lsof_scans_total\{result="success"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

export function rssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface UnderLoadResult {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rssAtHalfBytes: number;
  rssAtEndBytes: number;
  /**
   * Highest RSS sampled at each completed scan in the third and the last quarter of the run: RSS
   * saws up and down with garbage collection, so one sample at scan 50 against one at scan 100 says
   * little; a leak raises the peaks.
   */
  rssPeakThirdQuarterBytes: number;
  rssPeakLastQuarterBytes: number;
  scans: number;
}

/**
 * A short scan interval so scans run most of the time; one client (bench/scrape-client.ts, in its own
 * thread) scrapes back to back; a share of the workload is replaced after each completed scan, so
 * scans keep re-reading some tables.
 */
export async function metricsUnderLoad(load: Workload, opts: { scans: number; scanInterval: string; churnShare: number }): Promise<UnderLoadResult> {
  const exporter = await startExporter([`--scan.interval=${opts.scanInterval}`]);
  const pid = exporter.child.pid!;
  const client = new Worker(new URL('./scrape-client.js', import.meta.url), { workerData: { url: exporter.url } });
  const latencies: number[] = [];
  let rssAtHalf = 0;
  const rssByScan = new Map<number, number>();
  let churnedAt = 0;
  let churning: Promise<unknown> = Promise.resolve();
  try {
    await new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('message', ({ ms, scans }: ScrapeSample) => {
        latencies.push(ms);
        if (!rssAtHalf && scans >= opts.scans / 2) rssAtHalf = rssBytes(pid);
        if (scans > opts.scans / 2 && !rssByScan.has(scans)) rssByScan.set(scans, rssBytes(pid));
        // The steady state of the rounds: a share of the workload replaced once per completed scan.
        if (scans > churnedAt) {
          churnedAt = scans;
          churning = churning.then(() => load.churn(opts.churnShare));
        }
        if (scans >= opts.scans) resolve();
      });
    });
    client.postMessage('stop');
    await churning;
    const rssAtEnd = rssBytes(pid);
    return {
      requests: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      rssAtHalfBytes: rssAtHalf,
      rssAtEndBytes: rssAtEnd,
      rssPeakThirdQuarterBytes: peak(rssByScan, opts.scans / 2, (opts.scans * 3) / 4),
      rssPeakLastQuarterBytes: Math.max(rssAtEnd, peak(rssByScan, (opts.scans * 3) / 4, opts.scans)),
      scans: churnedAt,
    };
  } finally {
    await client.terminate();
    await exporter.stop();
  }
}

/**
 * With the default flags (15 s scans, 1 s listener poll): a workload process running as nobody calls
 * listen(); the time until /metrics shows that port held by user nobody and process "workload".
 */
export async function newListenerLatency(load: Workload, trials: number): Promise<number[]> {
  const exporter = await startExporter([]);
  const out: number[] = [];
  try {
    for (let i = 0; i < trials; i++) {
      const candidates = load.live.filter((p) => p.uid === NOBODY_UID);
      const p = candidates[Math.floor(Math.random() * candidates.length)]!;
      const t0 = performance.now();
      const port = await load.addListener(p);
      const series = new RegExp(`^lsof_listener_processes\\{(?=[^}]*port="${port}")(?=[^}]*user="nobody")(?=[^}]*process="workload")`, 'm');
      // Past the deadline the trial counts as the deadline (a FAIL either way), and the next starts.
      const deadline = t0 + 30_000;
      while (!series.test((await exporter.metrics()).text) && performance.now() < deadline) await sleep(25);
      out.push((Math.min(performance.now(), deadline) - t0) / 1000);
      await sleep(500 + Math.random() * 2000); // land at different points of the poll cycle
    }
    return out;
  } finally {
    await exporter.stop();
  }
}

export interface BriefListenerCatch {
  pollInterval: string;
  lifeMs: number;
  trials: number;
  /** Seen on /metrics with its process and user while it lived or after. */
  caught: number;
  /** Of those, still on /metrics a second after it closed (the hold time). */
  heldAfterClose: number;
  /** listen() to on /metrics, per caught trial. */
  latencySeconds: number[];
}

/**
 * Listeners that live `lifeMs` (issue 16: 500 ms at a 250 ms poll), opened by the workload's nobody
 * processes: how many reach /metrics with their process and user, how fast, and whether they are
 * still there a second after they closed. Full scans stay at the default 15 s, so a catch is the
 * poll's attribution, not a scan.
 */
export async function briefListenerCatch(load: Workload, trials: number, lifeMs: number, pollInterval: string): Promise<BriefListenerCatch> {
  const exporter = await startExporter([`--scan.listener-poll-interval=${pollInterval}`]);
  const result: BriefListenerCatch = { pollInterval, lifeMs, trials, caught: 0, heldAfterClose: 0, latencySeconds: [] };
  try {
    for (let i = 0; i < trials; i++) {
      const candidates = load.live.filter((p) => p.uid === NOBODY_UID);
      const p = candidates[Math.floor(Math.random() * candidates.length)]!;
      let port = 0;
      let closed = false;
      const t0 = performance.now();
      const life = load.briefListener(p, lifeMs, (opened) => (port = opened)).then(() => (closed = true));
      let seenAt: number | null = null;
      while (!closed) {
        if (port && seenAt === null && onMetrics((await exporter.metrics()).text, port)) seenAt = performance.now();
        else await sleep(20);
      }
      await life;
      await sleep(1000);
      const held = onMetrics((await exporter.metrics()).text, port);
      if (seenAt !== null || held) result.caught++;
      if (held) result.heldAfterClose++;
      if (seenAt !== null) result.latencySeconds.push((seenAt - t0) / 1000);
      await sleep(100 + Math.random() * 400); // land at different points of the poll cycle
    }
    return result;
  } finally {
    await exporter.stop();
  }
}

function onMetrics(text: string, port: number): boolean {
  return new RegExp(`^lsof_listener_processes\\{(?=[^}]*port="${port}")(?=[^}]*user="nobody")(?=[^}]*process="workload")`, 'm').test(text);
}

/** user + system CPU seconds of a process so far, all its threads (/proc/PID/stat fields 14 and 15). */
function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: what /proc reports times in; 100 on every Linux architecture node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The exporter at its default flags on a host at rest (no churn): its share of one core over
 * `seconds`, counted from its first completed scan.
 */
export async function exporterIdleCpu(seconds: number): Promise<{ coreShare: number; seconds: number }> {
  const exporter = await startExporter([]);
  try {
    const pid = exporter.child.pid!;
    const c0 = cpuSecondsOf(pid);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    return { coreShare: (cpuSecondsOf(pid) - c0) / wall, seconds: wall };
  } finally {
    await exporter.stop();
  }
}
