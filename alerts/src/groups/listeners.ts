/** The headline signals: a listener new to its instance, and a service account listening off its ports. */
import { formatDuration, parseDuration } from '../duration.js';
import { exactAlternation, groupedListeners, IDENTITY, indent, unlessExpected, withListenerName } from '../listener-promql.js';
import { alertingRule, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

const LISTENER_TEXT = '{{ $labels.listener }} ({{ $labels.executable }})';

export function listenerGroup(t: Tunables): RuleGroup {
  return {
    name: 'lsof-exporter.listeners',
    rules: [
      alertingRule(
        {
          alert: 'LsofNewListener',
          expr: newListenerExpr(t.newListener, t.expectedListenersWindow),
          for: t.newListener.for,
          severity: 'warning',
          summary: 'New listener {{ $labels.listener }} on {{ $labels.instance }}.',
          description:
            `${LISTENER_TEXT} listens on {{ $labels.instance }}; no listener with this protocol, address, port, user ` +
            `and process was seen there in the previous ${t.newListener.lookback}.`,
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofServiceAccountUnexpectedListener',
          expr: serviceAccountExpr(t.serviceAccount.users, t.expectedListenersWindow),
          for: t.serviceAccount.for,
          severity: 'critical',
          summary: 'Service account {{ $labels.user }} listens on undeclared port {{ $labels.port }} on {{ $labels.instance }}.',
          description:
            `${LISTENER_TEXT} listens on {{ $labels.instance }}, a port not declared for the service account ` +
            '{{ $labels.user }} in the expected listeners: the signature of a compromised web server.',
        },
        t.runbookUrl,
      ),
    ],
  };
}

/**
 * Listeners seen in the last `recent` that were not seen in the `lookback` before it, on instances
 * with at least `minInstanceHistory` of history inside that lookback, less the expected ones.
 */
export function newListenerExpr(n: Tunables['newListener'], expectedWindow: string): string {
  const lookback = parseDuration(n.lookback);
  const minHistory = parseDuration(n.minInstanceHistory);
  if (minHistory >= lookback) throw new Error('newListener.minInstanceHistory must be shorter than newListener.lookback');
  const historyRange = formatDuration(lookback - minHistory);
  const historyOffset = formatDuration(parseDuration(n.recent) + minHistory);
  return [
    unlessExpected(unseenListenersExpr(n), expectedWindow),
    // The instance was scraped at least minInstanceHistory before the recent window began.
    `and on (instance, job) present_over_time(lsof_exporter_build_info[${historyRange}] offset ${historyOffset})`,
  ].join('\n');
}

/**
 * The comparison with history alone. Ranges (not instants) make a scrape gap or exporter restart
 * shorter than the lookback invisible, and keep a listener that opened and closed between two
 * evaluations alerting for `recent`. On a host just added every listener is unseen: hence the guard.
 */
export function unseenListenersExpr(n: Tunables['newListener']): string {
  const recentListeners = withListenerName(`${groupedListeners(`present_over_time(lsof_listener_processes[${n.recent}])`)}\n${unlessHolderFound(n.recent)}`);
  const seenBefore = `present_over_time(lsof_listener_processes[${n.lookback}] offset ${n.recent})`;
  return `(\n${indent(recentListeners, 1)}\nunless on (${IDENTITY})\n${indent(seenBefore, 1)}\n)`;
}

/**
 * A scan can see a listening socket before the fd table that holds it (the process started or the
 * socket opened mid-scan, or its fd table came from the cache): for a scan or two it is reported with
 * no process. Once a named holder of the same socket shows up in the recent window, that holderless
 * identity is the same listener, not another one; `for` must outlast the gap for it never to notify.
 */
function unlessHolderFound(recent: string): string {
  const socket = 'instance, job, protocol, address, port';
  return [
    `unless on (${IDENTITY}) (`,
    `  group by (${IDENTITY}) (present_over_time(lsof_listener_processes{process=""}[${recent}]))`,
    `  and on (${socket}) group by (${socket}) (present_over_time(lsof_listener_processes{process!=""}[${recent}]))`,
    ')',
  ].join('\n');
}

export function serviceAccountExpr(users: string[], expectedWindow: string): string {
  const selector = `lsof_listener_processes{user=~${JSON.stringify(exactAlternation(users))}}`;
  return unlessExpected(withListenerName(groupedListeners(selector)), expectedWindow);
}
