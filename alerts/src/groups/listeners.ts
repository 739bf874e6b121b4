/** The headline signals: a listener new to its instance, and a service account listening off its ports. */
import { parseDuration } from '../duration.js';
import { exactAlternation, groupedListeners, IDENTITY, indent, INSTANCE_IDENTITY, unlessExpected, withListenerName } from '../listener-promql.js';
import { LISTENERS } from '../names.js';
import { historyRead, recordNames } from './listener-history.js';
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
 * Listeners seen in the last `recent` that the recorded history (lsof-exporter.listener-history) does
 * not hold, on instances eligible by that history (at least `minInstanceHistory` of it, and records
 * current), less the expected ones. Every selector reaches back at most two history intervals.
 */
export function newListenerExpr(n: Tunables['newListener'], expectedWindow: string): string {
  const lookback = parseDuration(n.lookback);
  const minHistory = parseDuration(n.minInstanceHistory);
  if (minHistory >= lookback) throw new Error('newListener.minInstanceHistory must be shorter than newListener.lookback');
  if (parseDuration(n.historyInterval) >= minHistory) throw new Error('newListener.historyInterval must be shorter than newListener.minInstanceHistory');
  const newListeners = [
    unlessExpected(unseenListenersExpr(n), expectedWindow),
    // Quiet on a host just added, for minInstanceHistory after the history rules are first loaded
    // (unless backfilled), and after a Prometheus outage until the history group has run again.
    `and on (${INSTANCE_IDENTITY}) ${historyRead(recordNames(n).eligibleInstances, n)}`,
  ].join('\n');
  // Named last: the label functions then run on the few new listeners, not on every listener.
  return withListenerName(newListeners);
}

/**
 * The comparison with history alone. The recent side reads the scraped series (a listener that
 * opened and closed between two evaluations alerts for `recent`); the history side reads the
 * recorded history, which leaves out what is younger than `recent` (a listener alerts for `recent`
 * to `recent + historyInterval`). A scrape gap, an exporter restart or a Prometheus restart shorter
 * than the lookback leaves the history as it was. On a host just added every listener is unseen:
 * hence the instance guard.
 */
export function unseenListenersExpr(n: Tunables['newListener']): string {
  const seenBefore = historyRead(recordNames(n).listenerHistory, n);
  return `(\n${indent(recentListeners(n.recent), 1)}\nunless on (${IDENTITY})\n${indent(seenBefore, 1)}\n)`;
}

/**
 * The listeners of the recent window, each scraped sample read once. A scan can see a listening
 * socket before the fd table that holds it (the process started or the socket opened mid-scan, or
 * its fd table came from the cache): for a scan or two it is reported with no process. Once a named
 * holder of the same socket shows up in the recent window, that holderless identity is the same
 * listener, not another one; `for` must outlast the gap for it never to notify. `or on (socket)`
 * adds a holderless identity only where no named one holds its socket: one read of the named
 * series serves both the identities and the holder check (an `unless` would read them twice, and
 * that second read was a third of the alert's cost). The holderless series are few.
 */
function recentListeners(recent: string): string {
  const socket = `${INSTANCE_IDENTITY}, protocol, address, port`;
  return [
    '(',
    indent(groupedListeners(`present_over_time(${LISTENERS}{process!=""}[${recent}])`), 1),
    `  or on (${socket})`,
    indent(groupedListeners(`present_over_time(${LISTENERS}{process=""}[${recent}])`), 1),
    ')',
  ].join('\n');
}

export function serviceAccountExpr(users: string[], expectedWindow: string): string {
  const selector = `${LISTENERS}{user=~${JSON.stringify(exactAlternation(users))}}`;
  return unlessExpected(withListenerName(groupedListeners(selector)), expectedWindow);
}
