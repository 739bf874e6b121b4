/**
 * PromQL building blocks shared by the dashboards: the selector every panel filters by, and the
 * listener identity and name of alerts/src, so a dashboard's "new listener" is the alert's.
 */

/** Label matchers of the dashboards' `job` and `instance` variables (regexes, "All" is `.+`). */
export const HOST_MATCHERS = 'job=~"$job", instance=~"$instance"';

/** `metric{job=~"$job", instance=~"$instance", ...extra}` */
export function select(metric: string, ...extra: string[]): string {
  return `${metric}{${[HOST_MATCHERS, ...extra].join(', ')}}`;
}

/** The identity and `process/user/address:port` name of a listener, as the listener alerts use them. */
export { IDENTITY as LISTENER_IDENTITY, withListenerName } from '../../alerts/src/listener-promql.js';

/** The pod's namespace and name from kube-state-metrics, joined on pod_uid (kept empty where unknown). */
export { withPodNames } from '../../alerts/src/kube-pod-names.js';
