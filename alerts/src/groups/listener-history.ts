/**
 * The history the new-listener alert compares with, recorded on a coarse interval: one sample per
 * listener identity (and per instance) per `historyInterval` instead of one per scrape, so that the
 * alert reads `lookback / historyInterval` samples per series (168 for 7d at 1h) instead of
 * `lookback / scrape interval` (40,320 for 7d at 15s).
 *
 * Each evaluation looks back twice its interval: a listener that opened and closed between two
 * evaluations is in the next one, and so is one whose evaluation a Prometheus restart skipped.
 * These series are read only through range selectors: an instant query (5m lookback) sees them for
 * five minutes an hour.
 */
import { formatDuration, parseDuration } from '../duration.js';
import { IDENTITY, INSTANCE_IDENTITY } from '../listener-promql.js';
import { BUILD_INFO, LISTENERS } from '../names.js';
import type { RecordingRule, RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

export const HISTORY_GROUP = 'lsof-exporter.listener-history';

/** What each history evaluation looks back over: twice the interval (see above). */
export function historyRange(n: Tunables['newListener']): string {
  return formatDuration(2 * parseDuration(n.historyInterval));
}

/** `listener:` level: the labels of the listener identity (LISTENER_IDENTITY), nothing else. */
export function seenListenersName(n: Tunables['newListener']): string {
  return `listener:${LISTENERS}:present_over_time${historyRange(n)}`;
}

/** `instance:` level: instance and job. */
export function seenInstancesName(n: Tunables['newListener']): string {
  return `instance:${BUILD_INFO}:present_over_time${historyRange(n)}`;
}

export function listenerHistoryGroup(t: Tunables): RuleGroup {
  const n = t.newListener;
  const range = historyRange(n);
  const rules: RecordingRule[] = [
    { record: seenListenersName(n), expr: `group by (${IDENTITY}) (present_over_time(${LISTENERS}[${range}]))` },
    { record: seenInstancesName(n), expr: `group by (${INSTANCE_IDENTITY}) (present_over_time(${BUILD_INFO}[${range}]))` },
  ];
  return { name: HISTORY_GROUP, interval: n.historyInterval, rules };
}
