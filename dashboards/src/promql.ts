/**
 * PromQL building blocks shared by the dashboards: the selector every panel filters by, and the
 * listener identity and name that the alerts in alerts/ use too.
 */

/** Label matchers of the dashboards' `job` and `instance` variables (regexes, "All" is `.+`). */
export const HOST_MATCHERS = 'job=~"$job", instance=~"$instance"';

/** `metric{job=~"$job", instance=~"$instance", ...extra}` */
export function select(metric: string, ...extra: string[]): string {
  return `${metric}{${[HOST_MATCHERS, ...extra].join(', ')}}`;
}

/**
 * What makes a listener the same listener (docs/metrics.md): not netns, container_id or pod_uid, which
 * change when a pod is rescheduled, nor executable, which changes when a binary is upgraded.
 */
export const LISTENER_IDENTITY = 'job, instance, protocol, address, port, user, process';

/**
 * Adds `listener="process/user/address:port"` (`[address]:port` for IPv6), what `--once` prints.
 * PromQL cannot join two labels with a separator that depends on a value, so address and port are
 * joined with "|" first, then the "|" becomes "]:" behind a "[" when the address holds a colon (IPv6),
 * or ":" otherwise.
 */
export function withListenerName(vector: string): string {
  const joined = `label_join(${vector}, "listener", "|", "address", "port")`;
  const ipv6 = `label_replace(${joined}, "listener", "[$1]:$2", "listener", "(.*:.*)[|]([0-9]+)")`;
  const ipv4 = `label_replace(${ipv6}, "listener", "$1:$2", "listener", "([^:|]*)[|]([0-9]+)")`;
  return `label_join(${ipv4}, "listener", "/", "process", "user", "listener")`;
}
