/**
 * Prometheus label names -> OpenTelemetry attribute names: the semantic conventions where one exists
 * (process.*, network.*, container.*, k8s.*, file.*), the documented lsof.* namespace otherwise.
 * docs/metrics.md "OTLP attributes and resource" lists the same table.
 */
import type { Attributes } from '@opentelemetry/api';

export const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  user: 'process.owner',
  process: 'process.executable.name',
  executable: 'process.executable.path',
  pid: 'process.pid',
  protocol: 'network.transport',
  family: 'network.type',
  address: 'network.local.address',
  port: 'network.local.port',
  container_id: 'container.id',
  container_runtime: 'container.runtime.name',
  pod_uid: 'k8s.pod.uid',
  path: 'file.path',
  inode: 'file.inode',
  device: 'lsof.file.device',
  type: 'lsof.fd.type',
  netns: 'lsof.netns',
  phase: 'lsof.scan.phase',
  result: 'lsof.result',
  reason: 'lsof.skip.reason',
  source: 'lsof.error.source',
  version: 'lsof.exporter.version',
  nodejs_version: 'process.runtime.version',
};

/** Where a family uses a label name in another sense than the table above. */
const FAMILY_OVERRIDES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // lsof_series_dropped{family="lsof_open_fds"} names a metric family, not an address family.
  series_dropped: { family: 'lsof.metric.family' },
};

/** Attributes whose semantic convention type is int (the Prometheus label is its decimal text). */
const INT_ATTRIBUTES = new Set(['network.local.port', 'process.pid']);

export function attributeName(family: string, label: string): string {
  return FAMILY_OVERRIDES[family]?.[label] ?? ATTRIBUTE_NAMES[label] ?? `lsof.${label}`;
}

/**
 * The attributes of one sample. An empty label value means "not known" or "not applicable" (no
 * container, host network namespace), which OpenTelemetry expresses by leaving the attribute out.
 */
export function toAttributes(family: string, labels: Record<string, string>): Attributes {
  const attrs: Attributes = {};
  for (const [label, value] of Object.entries(labels)) {
    if (value === '') continue;
    const name = attributeName(family, label);
    attrs[name] = INT_ATTRIBUTES.has(name) && /^\d+$/.test(value) ? Number(value) : value;
  }
  return attrs;
}
