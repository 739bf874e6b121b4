/**
 * The second half of the lsof recipe (`lsof -a -d txt -u www-data`): a service account running an
 * executable not declared for it in alerts/expected-executables.rules.yml, and any account running an
 * executable it was not seen running on the instance in the lookback (the recorded history of
 * executable-history.ts, read as the new-listener alert reads its own).
 */
import { metric } from '../names.js';
import { exactAlternation, indent, INSTANCE_IDENTITY } from '../listener-promql.js';
import { alertingRule, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';
import { EXECUTABLE_IDENTITY, executableRecordNames, KNOWN_EXECUTABLES } from './executable-history.js';
import { historyRead, recordNames } from './listener-history.js';

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
      alertingRule(
        {
          alert: 'LsofNewExecutable',
          expr: newExecutableExpr(t.newListener, t.expectedListenersWindow),
          for: t.newExecutable.for,
          severity: 'warning',
          summary: '{{ $labels.user }} runs {{ $labels.executable }} ({{ $labels.process }}), new to it on {{ $labels.instance }}.',
          description:
            'Processes named {{ $labels.process }} of {{ $labels.user }} run {{ $labels.executable }} on {{ $labels.instance }}; ' +
            `the account was not seen running this executable there in the previous ${t.newListener.lookback}.`,
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
  return unlessExpectedExecutable(`group by (instance, job, user, process, executable) (${selector})`, window);
}

function unlessExpectedExecutable(vector: string, window: string): string {
  return [
    vector,
    `unless on (user, executable) last_over_time(${EXPECTED_EXECUTABLE}{instance=""}[${window}])`,
    `unless on (instance, user, executable) last_over_time(${EXPECTED_EXECUTABLE}{instance!=""}[${window}])`,
  ].join('\n');
}

/**
 * Executables run in the last `recent` that the recorded history does not hold for their account, on
 * instances the listener history makes eligible (a host just added is quiet), less the declared ones.
 * The windows are the new-listener alert's: its reasoning (docs/runbooks.md, LsofNewListener) holds
 * for restarts, scrape gaps and outages; no selector reaches back more than two history intervals.
 */
export function newExecutableExpr(n: Tunables['newListener'], expectedWindow: string): string {
  const recent = `group by (${EXECUTABLE_IDENTITY}, process) (present_over_time(${KNOWN_EXECUTABLES}[${n.recent}]))`;
  const seenBefore = historyRead(executableRecordNames(n).executableHistory, n);
  const unseen = `(\n${indent(recent, 1)}\nunless on (${EXECUTABLE_IDENTITY})\n${indent(seenBefore, 1)}\n)`;
  return [unlessExpectedExecutable(unseen, expectedWindow), `and on (${INSTANCE_IDENTITY}) ${historyRead(recordNames(n).eligibleInstances, n)}`].join('\n');
}
