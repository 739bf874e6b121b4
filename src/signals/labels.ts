/**
 * Every label a family may carry, declared once: its Prometheus name and the OpenTelemetry attribute
 * it becomes over OTLP (the semantic conventions where one exists: process.*, network.*, container.*,
 * k8s.*, file.*; the documented lsof.* namespace otherwise). Families list these objects, so a label
 * name and its attribute cannot drift apart, and a sample's labels are checked by the compiler.
 */
export interface LabelDef<N extends string = string> {
  readonly name: N;
  /** OTLP attribute name. */
  readonly otel: string;
  /** The attribute's semantic-convention type is int (the label is its decimal text). */
  readonly int?: boolean;
}

function label<const N extends string>(name: N, otel: string, int = false): LabelDef<N> {
  return Object.freeze({ name, otel, ...(int && { int }) });
}

export const L = {
  user: label('user', 'process.owner'),
  process: label('process', 'process.executable.name'),
  executable: label('executable', 'process.executable.path'),
  pid: label('pid', 'process.pid', true),
  protocol: label('protocol', 'network.transport'),
  /** Address family (ipv4, ipv6). */
  family: label('family', 'network.type'),
  address: label('address', 'network.local.address'),
  port: label('port', 'network.local.port', true),
  containerId: label('container_id', 'container.id'),
  containerRuntime: label('container_runtime', 'container.runtime.name'),
  podUid: label('pod_uid', 'k8s.pod.uid'),
  path: label('path', 'file.path'),
  inode: label('inode', 'file.inode'),
  device: label('device', 'lsof.file.device'),
  fdType: label('type', 'lsof.fd.type'),
  netns: label('netns', 'lsof.netns'),
  phase: label('phase', 'lsof.scan.phase'),
  result: label('result', 'lsof.result'),
  skipReason: label('reason', 'lsof.skip.reason'),
  errorSource: label('source', 'lsof.error.source'),
  /** A metric family's name (lsof_series_dropped). */
  metric: label('metric', 'lsof.metric.family'),
  collector: label('collector', 'lsof.collector'),
  version: label('version', 'lsof.exporter.version'),
  nodejsVersion: label('nodejs_version', 'process.runtime.version'),
} as const;

/** The labels --group.by may choose for the per-group families (command lines deliberately not). */
export const GROUP_LABEL_DEFS = [L.user, L.process, L.executable, L.containerId] as const;
export type GroupLabel = (typeof GROUP_LABEL_DEFS)[number]['name'];
export const GROUP_LABELS: readonly GroupLabel[] = GROUP_LABEL_DEFS.map((l) => l.name);
export const DEFAULT_GROUP_BY: GroupLabel[] = ['user', 'process'];

/** Every label by its Prometheus name (for the OTLP mapping of the per-group labels). */
export const LABELS_BY_NAME: ReadonlyMap<string, LabelDef> = new Map(Object.values(L).map((l) => [l.name, l]));
