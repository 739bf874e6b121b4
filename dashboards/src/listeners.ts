/**
 * Listeners: who listens on which port now, what appeared during the range, and by which users; and
 * the executables new to their accounts (often the same intrusion, before it listens).
 * The headline signal of the exporter: a service account that suddenly listens on a new port.
 */
import { metric } from '../../src/metrics/names.js';
import * as common from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { baseDashboard, finish } from './dashboard.js';
import { instantTableQuery, organizeColumns, rangeQuery, stackedPanel, tablePanel } from './panels.js';
import { LISTENER_IDENTITY, select, withListenerName, withPodNames } from './promql.js';
import { choiceVariable, labelVariable } from './variables.js';

const LISTENERS = metric('listener_processes');
/** Slicing by container is optional: "All" also matches the host's listeners (empty container_id). */
const IN_CONTAINER = 'container_id=~"$container_id"';
/** One table row per listener identity and executable (in its container and pod). */
const ROW = `${LISTENER_IDENTITY}, executable, container_id, pod_uid`;

const CURRENT_ROWS = `sum by (${ROW}) (${select(LISTENERS, IN_CONTAINER)})`;

/** Both columns carry the pod's namespace and name where kube-state-metrics is scraped (kube_pod_info). */
export const LISTENER_TABLE = {
  workers: withPodNames(withListenerName(CURRENT_ROWS)),
  // First sample in the range, in ms for Grafana's date unit (resolution: the panel's interval), of
  // the listeners still there at its end: one that closed has no row.
  firstSeen: withPodNames(
    withListenerName(
      `(1000 * min by (${ROW}) (min_over_time(timestamp(${select(LISTENERS, IN_CONTAINER)})[$__range:$__interval]))) and on (${ROW}) ${CURRENT_ROWS}`,
    ),
  ),
};

const SOCKET = 'instance, job, protocol, address, port';

/**
 * Listeners present at each step whose identity was not seen in the `$lookback` before the start of
 * the range: the dashboard's view of the LsofNewListener alert (same identity). As in the alert, a
 * socket first seen without its holder (a scan found it before the fd table holding it) is not a
 * listener of its own once a named holder of that socket shows up in the range.
 */
export const NEW_LISTENERS = withListenerName(
  [
    `group by (${LISTENER_IDENTITY}) (${select(LISTENERS, IN_CONTAINER)})`,
    `unless on (${LISTENER_IDENTITY}) present_over_time(${select(LISTENERS)}[$lookback] @ start())`,
    `unless on (${LISTENER_IDENTITY}) (`,
    `  group by (${LISTENER_IDENTITY}) (${select(LISTENERS, 'process=""')})`,
    `  and on (${SOCKET}) group by (${SOCKET}) (present_over_time(${select(LISTENERS, 'process!=""')}[$__range] @ end()))`,
    `)`,
  ].join('\n'),
);

const EXECUTABLES = metric('executable_processes');
const EXECUTABLE_IDENTITY = 'instance, job, user, executable';

/**
 * Executables present at each step that their account was not seen running in the `$lookback` before
 * the start of the range: the dashboard's view of the LsofNewExecutable alert (same identity: the
 * process name is not part of it, an unreadable executable is left out).
 */
export const NEW_EXECUTABLES = [
  `group by (${EXECUTABLE_IDENTITY}) (${select(EXECUTABLES, 'executable!=""')})`,
  `unless on (${EXECUTABLE_IDENTITY}) present_over_time(${select(EXECUTABLES)}[$lookback] @ start())`,
].join('\n');

/** One series per listening socket and holder: sockets of identical identity in two network namespaces count twice. */
export const LISTENERS_BY_USER = `count by (user) (${select(LISTENERS, IN_CONTAINER)})`;

function listenerTable() {
  return tablePanel(
    {
      title: 'Current listeners',
      what:
        'Listening TCP sockets and bound, unconnected UDP sockets at the end of the range, as process/user/address:port, with the executable, ' +
        'the first time the listener was seen in the range, and how many processes hold the socket (forked workers). ' +
        'Workers 0 with an empty process: a kernel socket, or one held only by processes the exporter may not inspect. ' +
        'Namespace and Pod name the Kubernetes pod of the listener when this Prometheus also scrapes kube-state-metrics (kube_pod_info, joined on the pod uid); empty on the host or without it.',
      healthy: 'only the services this host is meant to run; the newest listeners are on top.',
      alerts: ['LsofNewListener', 'LsofServiceAccountUnexpectedListener'],
    },
    instantTableQuery(LISTENER_TABLE.workers, 'A'),
    instantTableQuery(LISTENER_TABLE.firstSeen, 'B'),
  )
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation(
      organizeColumns({
        show: [
          ['instance', 'Instance'],
          ['listener', 'Listener'],
          ['protocol', 'Protocol'],
          ['executable', 'Executable'],
          ['container_id', 'Container'],
          ['namespace', 'Namespace'],
          ['pod', 'Pod'],
          ['Value #A', 'Workers'],
          ['Value #B', 'First seen'],
        ],
        hide: ['Time', 'job', 'address', 'port', 'user', 'process', 'pod_uid'],
      }),
    )
    .overrideByName('First seen', [{ id: 'unit', value: 'dateTimeAsIso' }])
    .overrideByName('Workers', [{ id: 'unit', value: 'none' }])
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('First seen').desc(true)]);
}

export function listenersDashboard(): Dashboard {
  return finish(
    baseDashboard(
      'lsof-listeners',
      'lsof-exporter / Listeners',
      'Who listens on which port, what started listening during the range, by which users, and which executables are new to their accounts.',
    )
      .withVariable(
        labelVariable('container_id', 'Container', `label_values(${select(LISTENERS)}, container_id)`, '.*').description(
          'Slice listeners by container; All includes the host (no container).',
        ),
      )
      .withVariable(
        choiceVariable('lookback', 'New if unseen for', 'A listener is new when it was not seen in this window before the start of the range.', [
          '7d',
          '1d',
          '30d',
        ]),
      )
      .withPanel(listenerTable())
      .withPanel(
        stackedPanel(
          {
            title: 'New listeners',
            what:
              'Listeners whose identity (instance, protocol, address, port, user, process) was not seen in the $lookback before the start of the range, ' +
              'one series per listener while it listens. Container, network namespace and executable are not part of the identity; ' +
              'a socket seen for a moment without its holder is not counted once its holder is found.',
            healthy: 'empty, or only listeners of a deployment you know about.',
            alerts: ['LsofNewListener'],
          },
          'none',
          rangeQuery(NEW_LISTENERS, '{{listener}} on {{instance}}'),
        ).lineInterpolation(common.LineInterpolation.StepAfter),
      )
      .withPanel(
        stackedPanel(
          {
            title: 'New executables',
            what:
              'Executables (by path) that their account was not seen running in the $lookback before the start of the range, ' +
              'one series per account and executable while it runs: what a dropped program looks like before it listens on anything. ' +
              'The process name is not part of the identity; an upgrade that keeps the path is not new.',
            healthy: 'empty, or only the binaries of a deployment or upgrade you know about.',
            alerts: ['LsofNewExecutable'],
          },
          'none',
          rangeQuery(NEW_EXECUTABLES, '{{executable}} ({{user}}) on {{instance}}'),
        ).lineInterpolation(common.LineInterpolation.StepAfter),
      )
      .withPanel(
        stackedPanel(
          {
            title: 'Listeners by user',
            what: 'Listening sockets of the selected hosts, counted by the user of the processes that hold them.',
            healthy: 'flat; service accounts such as www-data or nobody hold only the ports declared for them.',
            alerts: ['LsofServiceAccountUnexpectedListener'],
          },
          'none',
          rangeQuery(LISTENERS_BY_USER, '{{user}}'),
        ),
      ),
  );
}
