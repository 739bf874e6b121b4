/**
 * Pod names for `pod_uid`, from kube-state-metrics. The exporter knows a process's pod only by the uid
 * in its cgroup path; kube-state-metrics' `kube_pod_info` has one series per pod with its `uid`,
 * `namespace` and `pod`. Where the same Prometheus scrapes both, this join names the pod; where it does
 * not, the joined expressions below keep their rows without the names (docs/metrics.md, "Kubernetes").
 */
import { metric } from './names.js';

/**
 * `pod_uid` -> `namespace`, `pod`: one series per pod, whatever other labels kube-state-metrics' series
 * carry (node, IPs, its own job and instance) or how many replicas of it are scraped.
 */
export const POD_NAMES = 'group by (pod_uid, namespace, pod) (label_replace(kube_pod_info{uid!=""}, "pod_uid", "$1", "uid", "(.+)"))';

/**
 * `vector` with the `namespace` and `pod` of its `pod_uid`, as a left join: rows of no known pod (host
 * processes, pods kube-state-metrics does not list, no kube-state-metrics at all) are kept without them.
 * `vector` must be aggregated to labels without `namespace` and `pod` (a scrape's own target labels
 * would otherwise be taken for the listener's pod).
 */
export function withPodNames(vector: string): string {
  return [`(${vector})`, `* on (pod_uid) group_left (namespace, pod) ${POD_NAMES}`, `or on (pod_uid) (${vector})`].join('\n');
}

/** The runbook's query for the pod of a listener: fill in the alert's instance and port. */
export const LISTENER_POD_QUERY = [
  'max by (instance, protocol, address, port, user, process, container_id, pod_uid) (',
  `  ${metric('listener_processes')}{instance="<instance>", port="<port>", pod_uid!=""}`,
  ')',
  `* on (pod_uid) group_left (namespace, pod) ${POD_NAMES}`,
].join('\n');
