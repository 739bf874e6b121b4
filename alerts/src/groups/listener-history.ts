/**
 * The history the new-listener alert compares with, recorded on a coarse interval so that no
 * evaluation of the alert reads more than two hours of anything. A Prometheus query opens every
 * block its widest selector reaches, for all its selectors: one 7d range makes every selector of
 * the expression look up its series in a week of blocks. One group, every `historyInterval`:
 *
 * 1. `...present_over_time2h`: was the listener (the instance) scraped in the last two intervals.
 *    Two, so that a listener that opened and closed between two evaluations is in the next record,
 *    and one an evaluation skipped by a Prometheus restart is in the one after.
 * 2. `...present_over_time7d_offset1h` (listeners): did level 1 record it in the `lookback` that ended
 *    `recent` ago. The offset keeps a listener out of its own history until it is `recent` old, even
 *    in the first record after a Prometheus outage.
 *    `...present_over_time6d_offset1d1h` (instances): was the instance recorded during the lookback
 *    but at least `minInstanceHistory` before the recent window: old enough for its listeners to be new.
 *
 * The alert reads the level-2 records of the last two intervals: ~2 samples a listener. These series
 * are read through ranges only: an instant query (5m lookback) sees them five minutes an interval.
 */
import { formatDuration, parseDuration } from '../duration.js';
import { IDENTITY, INSTANCE_IDENTITY } from '../listener-promql.js';
import { BUILD_INFO, LISTENERS } from '../names.js';
import type { RecordingRule, RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

export const HISTORY_GROUP = 'lsof-exporter.listener-history';

type NewListener = Tunables['newListener'];

/** Two history intervals: what level 1 looks back over, and the window the alert reads level 2 in. */
export function recordWindow(n: NewListener): string {
  return formatDuration(2 * parseDuration(n.historyInterval));
}

/** The level-2 records of the last two history intervals (one skipped evaluation changes nothing). */
export function historyRead(name: string, n: NewListener): string {
  return `present_over_time(${name}[${recordWindow(n)}])`;
}

/** The instance's history that makes its listeners eligible: the lookback, less the minimum history. */
function ageWindow(n: NewListener): { range: string; offset: string } {
  const minHistory = parseDuration(n.minInstanceHistory);
  return { range: formatDuration(parseDuration(n.lookback) - minHistory), offset: formatDuration(parseDuration(n.recent) + minHistory) };
}

// Levels `listener:` (the labels of LISTENER_IDENTITY, nothing else) and `instance:` (instance, job).
export function recordNames(n: NewListener) {
  const age = ageWindow(n);
  return {
    recentListeners: `listener:${LISTENERS}:present_over_time${recordWindow(n)}`,
    listenerHistory: `listener:${LISTENERS}:present_over_time${n.lookback}_offset${n.recent}`,
    recentInstances: `instance:${BUILD_INFO}:present_over_time${recordWindow(n)}`,
    eligibleInstances: `instance:${BUILD_INFO}:present_over_time${age.range}_offset${age.offset}`,
  };
}

export function listenerHistoryGroup(t: Tunables): RuleGroup {
  const n = t.newListener;
  const names = recordNames(n);
  const age = ageWindow(n);
  const record = (name: string, by: string, selector: string): RecordingRule => ({ record: name, expr: `group by (${by}) (present_over_time(${selector}))` });
  return {
    name: HISTORY_GROUP,
    interval: n.historyInterval,
    rules: [
      record(names.recentListeners, IDENTITY, `${LISTENERS}[${recordWindow(n)}]`),
      record(names.listenerHistory, IDENTITY, `${names.recentListeners}[${n.lookback}] offset ${n.recent}`),
      record(names.recentInstances, INSTANCE_IDENTITY, `${BUILD_INFO}[${recordWindow(n)}]`),
      record(names.eligibleInstances, INSTANCE_IDENTITY, `${names.recentInstances}[${age.range}] offset ${age.offset}`),
    ],
  };
}
