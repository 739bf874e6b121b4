/** Tables of the measured costs, the comparison with the target, and the fleet extrapolation. */
import { formatDuration } from '../../alerts/src/duration.js';
import { HISTORY_GROUP } from '../../alerts/src/groups/listener-history.js';
import type { QueryCost } from './measure.js';
import type { RuleRow } from './rules.js';

export interface MeasuredRow extends RuleRow {
  cost: QueryCost;
}

export interface MeasuredSize {
  hosts: number;
  listenersPerHost: number;
  series: number;
  rows: MeasuredRow[];
}

/** One evaluation of the new-listener detection: the alert, plus its share of the history rules. */
export interface DetectionCost {
  samples: number;
  evalSeconds: number;
  cpuSeconds: number;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (s: number) => (s * 1000).toFixed(s < 0.01 ? 2 : 1);

export function sizeTable(size: MeasuredSize, evaluationSeconds: number): string {
  const per1k = 1000 / size.series;
  const head = `${pad('rule', 66)} ${pad('set', 6)} ${lpad('every', 5)} ${lpad('samples', 12)} ${lpad('/1k series', 12)} ${lpad('eval ms', 9)} ${lpad('/1k', 9)} ${lpad('CPU ms', 9)} ${lpad('/1k', 9)} ${lpad('runs', 5)}`;
  const lines = size.rows.map((r) => {
    const name = r.copies > 1 ? `${r.name} (x${r.copies})` : r.name;
    const c = r.cost;
    return [
      pad(name, 66),
      pad(r.set, 6),
      lpad(formatDuration(r.intervalSeconds ?? evaluationSeconds), 5),
      lpad(int(c.samples), 12),
      lpad(int(c.samples * per1k), 12),
      lpad(ms(c.evalSeconds), 9),
      lpad(ms(c.evalSeconds * per1k), 9),
      lpad(ms(c.cpuSeconds), 9),
      lpad(ms(c.cpuSeconds * per1k), 9),
      lpad(String(c.runs), 5),
    ].join(' ');
  });
  return [head, ...lines].join('\n');
}

/**
 * Old: the baseline alert. New: the alert plus the rules of the listener-history group, amortized
 * over the evaluations of one history interval (the executable history is LsofNewExecutable's).
 */
export function detectionCost(size: MeasuredSize, set: RuleRow['set'], evaluationSeconds: number): DetectionCost {
  const total: DetectionCost = { samples: 0, evalSeconds: 0, cpuSeconds: 0 };
  const counted = (row: MeasuredRow) => row.name === 'LsofNewListener' || (row.group === HISTORY_GROUP && row.intervalSeconds !== null);
  for (const r of size.rows.filter((row) => row.set === set && counted(row))) {
    const share = r.intervalSeconds === null ? 1 : evaluationSeconds / r.intervalSeconds;
    total.samples += r.cost.samples * share;
    total.evalSeconds += r.cost.evalSeconds * share;
    total.cpuSeconds += r.cost.cpuSeconds * share;
  }
  return total;
}

export function comparison(size: MeasuredSize, evaluationSeconds: number, targetRatio: number): { text: string; pass: boolean } {
  const before = detectionCost(size, 'before', evaluationSeconds);
  const now = detectionCost(size, 'now', evaluationSeconds);
  const per1k = 1000 / size.series;
  const ratio = (k: keyof DetectionCost) => before[k] / now[k];
  // A query cheaper than a clock tick of CPU (10 ms) can measure 0: no ratio then, and no PASS.
  const shown = (k: keyof DetectionCost) => (Number.isFinite(ratio(k)) ? `${ratio(k).toFixed(0)}x` : 'n/a (under a clock tick)');
  // Time is judged on CPU: the engine's evaluation time is wall-clock, and a query of seconds on a
  // busy machine waits for the CPU longer than it uses it.
  const pass = ratio('samples') >= targetRatio && Number.isFinite(ratio('cpuSeconds')) && ratio('cpuSeconds') >= targetRatio;
  const line = (label: string, c: DetectionCost) =>
    `  ${pad(label, 44)} ${lpad(int(c.samples * per1k), 12)} samples ${lpad(ms(c.evalSeconds * per1k), 9)} ms eval ${lpad(ms(c.cpuSeconds * per1k), 9)} ms CPU`;
  const text = [
    `LsofNewListener, one evaluation per ${formatDuration(evaluationSeconds)}, per 1,000 listener series (${size.hosts}x${size.listenersPerHost}):`,
    line('before (7d of scrapes at every evaluation)', before),
    line('now (alert + history rules, amortized)', now),
    `  ratio: ${shown('samples')} fewer samples, ${shown('evalSeconds')} less evaluation time, ${shown('cpuSeconds')} less CPU` +
      ` (target >= ${targetRatio}x samples and CPU): ${pass ? 'PASS' : 'FAIL'}`,
  ].join('\n');
  return { text, pass };
}

/** CPU per evaluation as a fixed part per query plus a part per listener series. */
interface Fit {
  fixedSeconds: number;
  perSeriesSeconds: number;
}

const at = (f: Fit, series: number) => f.fixedSeconds + f.perSeriesSeconds * series;

/**
 * CPU per evaluation as a + b x series through the two measured sizes (proportional with one). A
 * negative slope is clock noise at small sizes (the larger fleet cannot cost less); the cost is then
 * taken as proportional to the larger measurement, so the table never shows negative seconds.
 */
function fit(sizes: MeasuredSize[], cost: (s: MeasuredSize) => number): Fit {
  const [small, large] = [sizes[0]!, sizes[sizes.length - 1]!];
  const proportional = { fixedSeconds: 0, perSeriesSeconds: Math.max(0, cost(large)) / large.series };
  if (small.series === large.series) return proportional;
  const slope = (cost(large) - cost(small)) / (large.series - small.series);
  if (slope < 0) return proportional;
  return { fixedSeconds: Math.max(0, cost(large) - slope * large.series), perSeriesSeconds: slope };
}

export function fleetTable(sizes: MeasuredSize[], evaluationSeconds: number, listenersPerHost: number): string {
  const before = fit(sizes, (s) => detectionCost(s, 'before', evaluationSeconds).cpuSeconds);
  const now = fit(sizes, (s) => detectionCost(s, 'now', evaluationSeconds).cpuSeconds);
  const measured = sizes.map((s) => `${s.hosts}x${s.listenersPerHost}`).join(' and ');
  const rows = [100, 1_000, 10_000].map((hosts) => {
    const n = hosts * listenersPerHost;
    const [b, a] = [at(before, n), at(now, n)];
    return `| ${int(hosts)} | ${int(n)} | ${b.toFixed(2)} s | ${(b / evaluationSeconds).toFixed(2)} | ${a.toFixed(3)} s | ${(a / evaluationSeconds).toFixed(3)} |`;
  });
  const parts = (f: Fit) => `${ms(f.fixedSeconds)} ms a query + ${(f.perSeriesSeconds * 1e6).toFixed(1)} µs a series`;
  // In a large fleet the fixed part vanishes: the ratio tends to that of the per-series parts.
  const perSeriesRatio = now.perSeriesSeconds > 0 ? `${(before.perSeriesSeconds / now.perSeriesSeconds).toFixed(0)}x` : 'n/a';
  return [
    `CPU per evaluation, fitted through ${measured}: before ${parts(before)}; now ${parts(now)}; per-series ratio ${perSeriesRatio}`,
    '',
    `Extrapolated (linear in listener series) from the measured ${measured}, ${listenersPerHost} listeners a host, one evaluation per ${formatDuration(evaluationSeconds)}:`,
    '',
    '| hosts | listener series | before: CPU per evaluation | cores | now: CPU per evaluation | cores |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
