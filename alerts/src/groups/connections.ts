/**
 * What accounts connect to: a service account talking to a watched remote port (the IRC bot of the
 * lsof recipe), and connections left in CLOSE_WAIT (a process that never closes what its peers closed).
 */
import { metric } from '../names.js';
import { exactAlternation } from '../listener-promql.js';
import { alertingRule, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

export function connectionsGroup(t: Tunables): RuleGroup {
  const accounts = JSON.stringify(exactAlternation(t.serviceAccount.users));
  return {
    name: 'lsof-exporter.connections',
    rules: [
      alertingRule(
        {
          alert: 'LsofServiceAccountWatchedConnection',
          expr: `sum by (instance, job, user, process, executable, remote_port) (${metric('watched_connections')}{user=~${accounts}}) > 0`,
          for: t.serviceAccount.for,
          severity: 'critical',
          summary: 'Service account {{ $labels.user }} ({{ $labels.process }}) connects to remote port {{ $labels.remote_port }} on {{ $labels.instance }}.',
          description:
            'Processes named {{ $labels.process }} ({{ $labels.executable }}) of the service account {{ $labels.user }} on {{ $labels.instance }} hold ' +
            '{{ $value }} TCP connection(s) to remote port {{ $labels.remote_port }}, one of the watched ports (IRC, Tor, mining pools): a compromised web application phoning home.',
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofCloseWaitLeak',
          expr: `sum by (instance, job, user, process) (${metric('tcp_connections')}{state="close_wait"}) > ${t.closeWait.connections}`,
          for: t.closeWait.for,
          severity: 'warning',
          summary: '{{ $labels.process }} ({{ $labels.user }}) holds {{ $value }} connections in CLOSE_WAIT on {{ $labels.instance }}.',
          description:
            `Processes {{ $labels.process }} of {{ $labels.user }} on {{ $labels.instance }} have held more than ${t.closeWait.connections} TCP connections ` +
            `in CLOSE_WAIT for ${t.closeWait.for}: their peers closed and the process never did. It leaks descriptors until it hits its limit.`,
        },
        t.runbookUrl,
      ),
    ],
  };
}
