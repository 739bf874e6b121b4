/**
 * The second half of the lsof recipe (`lsof -a -d txt -u www-data`): a service account running an
 * executable not declared for it in alerts/expected-executables.rules.yml.
 */
import { metric } from '../names.js';
import { exactAlternation } from '../listener-promql.js';
import { alertingRule, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

export const EXPECTED_EXECUTABLE = 'lsof:expected_executable';

export function executablesGroup(t: Tunables): RuleGroup {
  return {
    name: 'lsof-exporter.executables',
    rules: [
      alertingRule(
        {
          alert: 'LsofServiceAccountUnexpectedExecutable',
          expr: unexpectedExecutableExpr(t.serviceAccount.users, t.expectedListenersWindow),
          for: t.serviceAccount.for,
          severity: 'critical',
          summary: 'Service account {{ $labels.user }} runs {{ $labels.executable }} ({{ $labels.process }}) on {{ $labels.instance }}.',
          description:
            'Processes named {{ $labels.process }} of the service account {{ $labels.user }} run {{ $labels.executable }} on {{ $labels.instance }}, ' +
            'an executable not declared for it in the expected executables: the signature of a program dropped through a compromised web application.',
        },
        t.runbookUrl,
      ),
    ],
  };
}

/**
 * Executables of the service accounts, less the declarations (static labels `user`, `executable`,
 * optionally `instance`). Read over a window, like the expected listeners, so that an evaluation
 * before the declarations' group has run still sees them.
 */
export function unexpectedExecutableExpr(users: string[], window: string): string {
  const selector = `${metric('executable_processes')}{user=~${JSON.stringify(exactAlternation(users))}}`;
  return [
    `group by (instance, job, user, process, executable) (${selector})`,
    `unless on (user, executable) last_over_time(${EXPECTED_EXECUTABLE}{instance=""}[${window}])`,
    `unless on (instance, user, executable) last_over_time(${EXPECTED_EXECUTABLE}{instance!=""}[${window}])`,
  ].join('\n');
}
