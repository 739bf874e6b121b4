/**
 * What the new-listener rules cost a Prometheus that holds a fleet, before and now:
 *
 *   npm run bench:rules -- [--sizes=1x50,4x50] [--days=7] [--evaluation-interval=1m] [--min-cpu-seconds=1]
 *
 * For each size HxL it backfills H hosts x L listeners scraped every 15 s over `days` plus an hour
 * (and the hourly history the recording rules write) with promtool, starts Prometheus on it, writes
 * the last 2.5 h into its head (remote write, as a running Prometheus holds them), checks
 * the runbook's `promtool tsdb create-blocks-from rules` against it, and queries every rule
 * expression with query statistics. It prints the cost per evaluation and per 1,000 listener
 * series, the comparison with the >= 50x target (PASS/FAIL, exit code 1 on FAIL), and the fleet
 * extrapolated from the measured sizes. Everything lives in a temporary directory, removed at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../alerts/src/duration.js';
import { HISTORY_RULE_FILE, RULE_FILE } from '../../alerts/src/render.js';
import { DEFAULT_TUNABLES } from '../../alerts/src/tunables.js';
import { checkRuleBackfill } from './backfill-check.js';
import { backfillFleet } from './backfill.js';
import { fleetSeries, type Fleet } from './fleet.js';
import { measureExprs } from './measure.js';
import { remoteWriteWindow } from './remote-write.js';
import { FEATURES, startPrometheus } from './prometheus.js';
import { comparison, fleetTable, sizeTable, type MeasuredSize } from './report.js';
import { readRules, type RuleRow } from './rules.js';

// Runs compiled, as dist/bench/rule-cost/main.js; the rule files are read from the source tree.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRAPE_SECONDS = 15;
// As in a running Prometheus, the last hours are in its head block (it cuts a block at 3h).
const HEAD_SECONDS = 2.5 * 3600;
const TARGET_RATIO = 50;

function options() {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1x50,4x50' },
      days: { type: 'string', default: '7' },
      'evaluation-interval': { type: 'string', default: '1m' },
      'min-cpu-seconds': { type: 'string', default: '1' },
    },
  });
  const sizes = values.sizes.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m) throw new Error(`--sizes: not HOSTSxLISTENERS: ${s}`);
    return { hosts: Number(m[1]), listenersPerHost: Number(m[2]) };
  });
  return { sizes, days: Number(values.days), evaluationSeconds: parseDuration(values['evaluation-interval']), minCpuSeconds: Number(values['min-cpu-seconds']) };
}

function ruleRows(): RuleRow[] {
  return [
    ...readRules(path.join(ROOT, 'bench/rule-cost/baseline.rules.yml'), 'before'),
    ...[RULE_FILE, HISTORY_RULE_FILE, 'expected-listeners.rules.yml'].flatMap((f) => readRules(path.join(ROOT, 'alerts', f), 'now')),
  ];
}

async function measureSize(hosts: number, listenersPerHost: number, days: number, minCpuSeconds: number, workDir: string): Promise<MeasuredSize> {
  const n = DEFAULT_TUNABLES.newListener;
  const endSeconds = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS;
  const fleet: Fleet = {
    hosts,
    listenersPerHost,
    scrapeIntervalSeconds: SCRAPE_SECONDS,
    historyIntervalSeconds: parseDuration(n.historyInterval),
    startSeconds: endSeconds - days * 86_400 - parseDuration(n.recent),
    endSeconds,
  };
  const dataDir = fs.mkdtempSync(path.join(workDir, `tsdb-${hosts}x${listenersPerHost}-`));
  const started = Date.now();
  const series = fleetSeries(fleet, n);
  const headFrom = endSeconds - HEAD_SECONDS;
  const filled = await backfillFleet(fleet, series, headFrom, dataDir, workDir);
  const prometheus = await startPrometheus(dataDir, workDir);
  try {
    const inHead = await remoteWriteWindow(prometheus.url, series, headFrom, endSeconds);
    const total = (filled.samples + inHead).toLocaleString('en-US');
    console.log(`${hosts}x${listenersPerHost}: ${total} samples, in ${filled.blocks} blocks and the last ${HEAD_SECONDS / 3600}h in the head (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    const historyFile = path.join(ROOT, 'alerts', HISTORY_RULE_FILE);
    const exprs = readRules(historyFile, 'now').map((r) => r.expr);
    const check = await checkRuleBackfill(prometheus.url, historyFile, exprs, endSeconds, fleet.historyIntervalSeconds, 4, workDir);
    console.log(`  create-blocks-from rules, ${check.hours} h: ${check.samples} samples of ${check.series} series, an interval apart: ${check.ok ? 'ok' : 'MISMATCH'}`);
    if (!check.ok) throw new Error('the history backfill does not match: see above');
    // vector(1): what any query costs the process (HTTP, JSON, engine setup) and a rule evaluation
    // does not pay. Measured interleaved with the rules, old and new side by side.
    const rules = ruleRows();
    const [empty, ...costs] = await measureExprs(prometheus.url, prometheus.pid, ['vector(1)', ...rules.map((r) => r.expr)], endSeconds, minCpuSeconds);
    const overhead = empty!.cpuSeconds;
    console.log(`  CPU of an empty query (vector(1)): ${(overhead * 1000).toFixed(2)} ms, taken off the CPU column`);
    const rows = rules.map((rule, i) => ({ ...rule, cost: { ...costs[i]!, cpuSeconds: Math.max(0, costs[i]!.cpuSeconds - overhead) } }));
    return { hosts, listenersPerHost, series: hosts * listenersPerHost, rows };
  } finally {
    await prometheus.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = options();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-rule-cost-'));
  console.log(`rule cost: ${o.sizes.map((s) => `${s.hosts}x${s.listenersPerHost}`).join(', ')}, ${o.days}d of ${SCRAPE_SECONDS}s scrapes, Prometheus --enable-feature=${FEATURES}, stats=all`);
  try {
    const sizes: MeasuredSize[] = [];
    for (const s of o.sizes) {
      const size = await measureSize(s.hosts, s.listenersPerHost, o.days, o.minCpuSeconds, workDir);
      console.log(`\n${sizeTable(size, o.evaluationSeconds)}\n`);
      sizes.push(size);
    }
    sizes.sort((a, b) => a.series - b.series);
    const verdict = comparison(sizes[sizes.length - 1]!, o.evaluationSeconds, TARGET_RATIO);
    console.log(`${verdict.text}\n\n${fleetTable(sizes, o.evaluationSeconds, sizes[sizes.length - 1]!.listenersPerHost)}`);
    process.exitCode = verdict.pass ? 0 : 1;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
