/**
 * The rule-cost bench's fleet extrapolation: a linear fit through two measured sizes. At smoke-test
 * sizes the clock noise can make the larger fleet measure cheaper; the table must then still show
 * non-negative seconds (it printed -39.99 s once, on Node 26 in CI).
 */
import { describe, expect, it } from 'vitest';
import { fleetTable, type MeasuredSize } from '../../bench/rule-cost/report.js';

function size(hosts: number, beforeCpu: number, nowCpu: number): MeasuredSize {
  const cost = (cpuSeconds: number) => ({ samples: 1000 * hosts, evalSeconds: cpuSeconds, cpuSeconds, runs: 3, resultSeries: 0 });
  const row = (set: 'before' | 'now', cpuSeconds: number) => ({
    set,
    file: `${set}.yml`,
    name: 'LsofNewListener',
    group: 'lsof-exporter.listeners',
    expr: 'x',
    intervalSeconds: null,
    copies: 1,
    cost: cost(cpuSeconds),
  });
  return { hosts, listenersPerHost: 10, series: hosts * 10, rows: [row('before', beforeCpu), row('now', nowCpu)] };
}

/** The "before" seconds of each extrapolated row (100, 1,000 and 10,000 hosts). */
function beforeSeconds(table: string): number[] {
  return [...table.matchAll(/^\| [\d,]+ \| [\d,]+ \| (-?[\d.]+) s \|/gm)].map((m) => Number(m[1]));
}

describe('fleetTable', () => {
  it('extrapolates linearly through two sizes that grow with the fleet', () => {
    const rows = beforeSeconds(fleetTable([size(1, 0.001, 0.0001), size(2, 0.002, 0.0002)], 60, 10));
    expect(rows).toEqual([0.1, 1, 10]);
  });

  it('falls back to proportional to the larger size when noise makes the larger fleet cheaper', () => {
    const rows = beforeSeconds(fleetTable([size(1, 0.004, 0.0001), size(2, 0.002, 0.0002)], 60, 10));
    expect(rows.every((s) => s >= 0)).toBe(true);
    expect(rows).toEqual([0.1, 1, 10]);
  });
});
