/**
 * What accounts connect to: a service account talking to a watched remote port (the IRC bot of the
 * lsof recipe), and connections left in CLOSE_WAIT (a process that never closes what its peers closed).
 */
import { metric } from '../names.js';
import { exactAlternation } from '../listener-promql.js';
import { alertingRule, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

/**
 * The executables of the alert's user and process, queried when the alert is sent. Not a label: the
 * connections family has no executable, and a join would fail the rule (many-to-many) whenever one
 * name runs two executables, as a dropped `bash` next to the system's does.
 */
function executablesOfProcess(): string {
  const selector = `group by (executable) (${metric('executable_processes')}{instance=%q,job=%q,user=%q,process=%q})`;
  const query = `query (printf ${JSON.stringify(selector)} $labels.instance $labels.job $labels.user $labels.process)`;
  return `{{ range $i, $s := ${query} | sortByLabel "executable" }}{{ if $i }}, {{ end }}{{ $s.Labels.executable }}{{ end }}`;
}

export function connectionsGroup(t: Tunables): RuleGroup {
  const accounts = JSON.stringify(exactAlternation(t.serviceAccount.users));
  return {
    name: 'lsof-exporter.connections',
    rules: [
      alertingRule(
        {
          alert: 'LsofServiceAccountWatchedConnection',
          expr: `max by (instance, job, user, process, remote_port) (${metric('tcp_connections')}{user=~${accounts},direction="outbound",remote_port!="other"}) > 0`,
          for: t.serviceAccount.for,
          severity: 'critical',
          summary: 'Service account {{ $labels.user }} ({{ $labels.process }}) connects to remote port {{ $labels.remote_port }} on {{ $labels.instance }}.',
          description:
            'Processes named {{ $labels.process }} of the service account {{ $labels.user }} on {{ $labels.instance }} hold TCP connections to ' +
            'remote port {{ $labels.remote_port }}, one of the watched ports (IRC, Tor, mining pools): a compromised web application phoning home. ' +
            `Executables of ${'{{ $labels.process }}'} (${'{{ $labels.user }}'}): ${executablesOfProcess()}.`,
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
