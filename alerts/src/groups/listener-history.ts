/**
 * The history the new-listener alert compares with, recorded on a coarse interval so that no
 * evaluation of the alert reads days of anything. Two levels, evaluated in this order by one group
 * every `historyInterval` (rules of a group see the results of the rules before them):
 *
 * 1. `...present_over_time2h`: was the listener (the instance) scraped in the last two intervals.
 *    Two, so that a listener that opened and closed between two evaluations is in the next one, and
 *    one an evaluation skipped by a Prometheus restart is in the one after.
 * 2. `...present_over_time6d`: was it recorded by level 1 in the `lookback - minInstanceHistory`
 *    before. The alert reads the level-2 records of the last `minInstanceHistory` (before `recent`):
 *    together the lookback, from ~24 samples per listener in one or two blocks, where a 7d range
 *    reads 40,320 samples (15 s scrapes) in a dozen blocks per listener.
 *
 * These series are read through ranges only: an instant query (5m lookback) sees them for five
 * minutes an interval.
 */
import { formatDuration, parseDuration } from '../duration.js';
import { IDENTITY, INSTANCE_IDENTITY } from '../listener-promql.js';
import { BUILD_INFO, LISTENERS } from '../names.js';
import type { RecordingRule, RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

export const HISTORY_GROUP = 'lsof-exporter.listener-history';

type NewListener = Tunables['newListener'];

/** What each level-1 evaluation looks back over: twice the interval (see above). */
export function recentRange(n: NewListener): string {
  return formatDuration(2 * parseDuration(n.historyInterval));
}

/** What each level-2 evaluation looks back over: the lookback less the window the alert reads. */
export function historyRange(n: NewListener): string {
  return formatDuration(parseDuration(n.lookback) - parseDuration(n.minInstanceHistory));
}

// Levels `listener:` (the labels of LISTENER_IDENTITY, nothing else) and `instance:` (instance, job).
export const recordNames = (n: NewListener) => ({
  recentListeners: `listener:${LISTENERS}:present_over_time${recentRange(n)}`,
  listenerHistory: `listener:${LISTENERS}:present_over_time${historyRange(n)}`,
  recentInstances: `instance:${BUILD_INFO}:present_over_time${recentRange(n)}`,
  instanceHistory: `instance:${BUILD_INFO}:present_over_time${historyRange(n)}`,
});

export function listenerHistoryGroup(t: Tunables): RuleGroup {
  const n = t.newListener;
  const names = recordNames(n);
  const record = (name: string, by: string, range: string, of: string): RecordingRule => ({
    record: name,
    expr: `group by (${by}) (present_over_time(${of}[${range}]))`,
  });
  return {
    name: HISTORY_GROUP,
    interval: n.historyInterval,
    rules: [
      record(names.recentListeners, IDENTITY, recentRange(n), LISTENERS),
      record(names.listenerHistory, IDENTITY, historyRange(n), names.recentListeners),
      record(names.recentInstances, INSTANCE_IDENTITY, recentRange(n), BUILD_INFO),
      record(names.instanceHistory, INSTANCE_IDENTITY, historyRange(n), names.recentInstances),
    ],
  };
}
