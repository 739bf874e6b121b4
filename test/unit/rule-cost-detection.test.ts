/**
 * What the rule-cost bench counts as one evaluation of the new-listener detection: the alert, plus
 * the listener-history group's rules amortized over the alert evaluations of one history interval.
 * The executable history is LsofNewExecutable's cost and other alerts are their own.
 */
import { describe, expect, it } from 'vitest';
import { EXECUTABLE_HISTORY_GROUP } from '../../alerts/src/groups/executable-history.js';
import { HISTORY_GROUP } from '../../alerts/src/groups/listener-history.js';
import { detectionCost, type MeasuredRow } from '../../bench/rule-cost/report.js';

function row(name: string, group: string, intervalSeconds: number | null, cpuSeconds: number): MeasuredRow {
  return {
    set: 'now',
    file: 'x.rules.yml',
    name,
    group,
    expr: 'x',
    intervalSeconds,
    copies: 1,
    cost: { samples: cpuSeconds * 1e6, evalSeconds: cpuSeconds, cpuSeconds, runs: 5, resultSeries: 0 },
  };
}

describe('detectionCost', () => {
  it('counts the alert and its share of the listener history, not the executable history or other alerts', () => {
    const rows = [
      row('LsofNewListener', 'lsof-exporter.listeners', null, 0.01),
      row('LsofNewExecutable', 'lsof-exporter.executables', null, 1),
      row('listener:lsof_listener_processes:present_over_time2h', HISTORY_GROUP, 3600, 0.6),
      row('executable:lsof_executable_processes:present_over_time2h', EXECUTABLE_HISTORY_GROUP, 3600, 60),
    ];
    const cost = detectionCost({ hosts: 1, listenersPerHost: 10, series: 10, rows }, 'now', 60);
    expect(cost.cpuSeconds).toBeCloseTo(0.01 + 0.6 / 60, 9);
    expect(cost.samples).toBeCloseTo((0.01 + 0.6 / 60) * 1e6, 3);
  });
});
