/**
 * `npm run bench`: generate a synthetic host load, measure the exporter side by side with a C floor,
 * lsof and ss, cross-check their answers, and print medians, ratios and PASS/FAIL against issue 5.
 *
 *   node dist/bench/run.js [--procs=200 --fds=500] [--rounds=3] [--churn=0.05] [--scans=100]
 *                          [--scan-interval=250ms] [--listener-trials=5] [--scans-only | --exporter-only]
 *                          [--catch-trials=100 --catch-life=500ms --catch-poll=250ms]   (brief listeners)
 *                          [--fd-cache-max-age=5m]   (of the exporter's steady scans; its default)
 *                          [--tools=exporter_cold,exporter_steady,floor_c,lsof,lsof_i,ss]
 *                          [--established=N [--poll-only] [--exporter-seconds=60]]
 * Without --procs/--fds it runs 200x500 and 500x1000. Must run as root (other uids, RLIMIT_NOFILE).
 * --established=N adds N established loopback TCP sockets to the workload and first measures the
 * listener poll against its floors with them, and the exporter's CPU at its default flags on that
 * host for --exporter-seconds (bench/listener-poll.ts); --poll-only stops there.
 */
import os from 'node:os';
import fs from 'node:fs';
import { compileHelpers } from './tools.js';
import { Workload } from './workload.js';
import { DEFAULT_ROUNDS, runRounds, TOOLS, type Tool } from './scan-rounds.js';
import { briefListenerCatch, metricsUnderLoad, newListenerLatency } from './exporter-bench.js';
import { formatSize, verdicts, type SizeResult } from './report.js';
import { formatListenerPoll, listenerPollBench, listenerPollVerdicts } from './listener-poll.js';
import { median } from './stats.js';
import { parseDuration } from '../src/config.js';

function flags(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=', 2);
    m.set(k!, v ?? 'true');
  }
  return m;
}

const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

async function benchSize(f: Map<string, string>, processes: number, fdsPerProcess: number): Promise<SizeResult> {
  const bin = compileHelpers();
  const removeBin = () => fs.rmSync(bin.dir, { recursive: true, force: true });
  process.on('exit', removeBin); // also on SIGINT/SIGTERM, which exit through main()'s handlers
  const load = new Workload(bin.workload, { processes, fdsPerProcess, listenEvery: 5, nobodyEvery: 4, established: Number(f.get('established') ?? 0) });
  try {
    log(`starting ${processes} x ${fdsPerProcess} workload`);
    await load.startAll();
    const churnShare = Number(f.get('churn') ?? DEFAULT_ROUNDS.churnShare);
    const fdMaxAgeMs = parseDuration('fd-cache-max-age', f.get('fd-cache-max-age') ?? '5m', { min: 0 });
    const scanner = { ...DEFAULT_ROUNDS.scanner, fdMaxAgeMs };
    const roundCount = f.has('exporter-only') ? 0 : Number(f.get('rounds') ?? DEFAULT_ROUNDS.rounds);
    const tools = f.get('tools')?.split(',').filter((t): t is Tool => (TOOLS as readonly string[]).includes(t)) ?? TOOLS;
    const rounds = await runRounds(bin, load, { ...DEFAULT_ROUNDS, scanner, rounds: roundCount, churnShare, tools }, log);
    const result: SizeResult = { processes, fdsPerProcess, fdsScanned: median(rounds.steady.map((s) => s.fdsScanned)) || processes * fdsPerProcess, rounds };
    if (!f.has('scans-only')) {
      log('exporter under load: /metrics latency and RSS');
      result.underLoad = await metricsUnderLoad(load, { scans: Number(f.get('scans') ?? 100), scanInterval: f.get('scan-interval') ?? '250ms', churnShare });
      log(`under load: ${JSON.stringify(result.underLoad)}`);
      log('new-listener latency at the default flags');
      result.listenerLatencySeconds = await newListenerLatency(load, Number(f.get('listener-trials') ?? 5));
      const catchTrials = Number(f.get('catch-trials') ?? 100);
      if (catchTrials > 0) {
        const life = parseDuration('catch-life', f.get('catch-life') ?? '500ms', { min: 1 });
        log(`brief listeners: ${catchTrials} that live ${life} ms, at a ${f.get('catch-poll') ?? '250ms'} poll`);
        result.briefCatch = await briefListenerCatch(load, catchTrials, life, f.get('catch-poll') ?? '250ms');
      }
    }
    return result;
  } finally {
    await load.stopAll();
    removeBin();
    process.off('exit', removeBin);
  }
}

/** The listener poll section; prints it and returns whether every verdict passed. */
async function benchListenerPoll(established: number, exporterSeconds: number, lines: string[]): Promise<boolean> {
  if (!(established >= 0)) throw new Error(`--established: a number of sockets, got ${established}`);
  const bin = compileHelpers();
  try {
    const r = await listenerPollBench(bin, established, log, { exporterSeconds });
    const v = listenerPollVerdicts(r);
    lines.push('', ...formatListenerPoll(r), '', ...v.map((x) => x.line));
    console.log(lines.splice(0).join('\n'));
    return v.every((x) => x.pass);
  } finally {
    fs.rmSync(bin.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench runs as root (workload processes as nobody, RLIMIT_NOFILE)');
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.exit(130)); // runs the 'exit' cleanups
  const f = flags(process.argv.slice(2));
  const sizes: [number, number][] = f.has('procs') || f.has('fds')
    ? [[Number(f.get('procs') ?? 200), Number(f.get('fds') ?? 500)]]
    : [[200, 500], [500, 1000]];
  const lines = [`# lsof-exporter bench: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}, Node ${process.version}`];
  let failed = false;
  if (f.has('established')) failed = !(await benchListenerPoll(Number(f.get('established')), Number(f.get('exporter-seconds') ?? 60), lines));
  for (const [p, n] of f.has('poll-only') ? [] : sizes) {
    const r = await benchSize(f, p, n);
    lines.push('', ...formatSize(r), '');
    for (const v of verdicts(r)) {
      lines.push(v.line);
      failed ||= !v.pass;
    }
    console.log(lines.splice(0).join('\n'));
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
