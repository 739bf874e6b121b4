/**
 * Every label a family may carry, declared once: its Prometheus name and the OpenTelemetry attribute
 * it becomes over OTLP (the semantic conventions where one exists: process.*, network.*, container.*,
 * k8s.*, file.*; the documented lsof.* namespace otherwise). Families list these objects, so a label
 * name and its attribute cannot drift apart, and a sample's labels are checked by the compiler.
 * Convention names are typed by @opentelemetry/semantic-conventions (semconv-names.ts), so a rename
 * upstream is a type error here, not a silent drift.
 */
import {
  ATTR_CONTAINER_ID,
  ATTR_CONTAINER_RUNTIME_NAME,
  ATTR_FILE_INODE,
  ATTR_FILE_PATH,
  ATTR_K8S_POD_UID,
  ATTR_NETWORK_LOCAL_ADDRESS,
  ATTR_NETWORK_CONNECTION_STATE,
  ATTR_NETWORK_LOCAL_PORT,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_TRANSPORT,
  ATTR_NETWORK_TYPE,
  ATTR_PROCESS_EXECUTABLE_NAME,
  ATTR_PROCESS_EXECUTABLE_PATH,
  ATTR_PROCESS_OWNER,
  ATTR_PROCESS_PID,
  ATTR_PROCESS_RUNTIME_VERSION,
} from './semconv-names.js';

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
  user: label('user', ATTR_PROCESS_OWNER),
  process: label('process', ATTR_PROCESS_EXECUTABLE_NAME),
  executable: label('executable', ATTR_PROCESS_EXECUTABLE_PATH),
  pid: label('pid', ATTR_PROCESS_PID, true),
  protocol: label('protocol', ATTR_NETWORK_TRANSPORT),
  /** Address family (ipv4, ipv6). */
  family: label('family', ATTR_NETWORK_TYPE),
  address: label('address', ATTR_NETWORK_LOCAL_ADDRESS),
  port: label('port', ATTR_NETWORK_LOCAL_PORT, true),
  containerId: label('container_id', ATTR_CONTAINER_ID),
  containerRuntime: label('container_runtime', ATTR_CONTAINER_RUNTIME_NAME),
  podUid: label('pod_uid', ATTR_K8S_POD_UID),
  path: label('path', ATTR_FILE_PATH),
  inode: label('inode', ATTR_FILE_INODE),
  device: label('device', 'lsof.file.device'),
  fdType: label('type', 'lsof.fd.type'),
  netns: label('netns', 'lsof.netns'),
  phase: label('phase', 'lsof.scan.phase'),
  result: label('result', 'lsof.result'),
  skipReason: label('reason', 'lsof.skip.reason'),
  errorSource: label('source', 'lsof.error.source'),
  /** Why a process is suspicious (lsof_suspicious_processes): the same name as skipReason, its own attribute. */
  suspiciousReason: label('reason', 'lsof.suspicious.reason'),
  /** A metric family's name (lsof_series_dropped). */
  metric: label('metric', 'lsof.metric.family'),
  collector: label('collector', 'lsof.collector'),
  hidepid: label('hidepid', 'lsof.procfs.hidepid'),
  connectionState: label('state', ATTR_NETWORK_CONNECTION_STATE),
  direction: label('direction', 'lsof.connection.direction'),
  /** A watched remote port's number, or "other" (so not an int attribute). */
  remotePort: label('remote_port', ATTR_NETWORK_PEER_PORT),
  version: label('version', 'lsof.exporter.version'),
  revision: label('revision', 'lsof.exporter.revision'),
  nodejsVersion: label('nodejs_version', ATTR_PROCESS_RUNTIME_VERSION),
} as const;

/** The labels --group.by may choose for the per-group families (command lines deliberately not). */
export const GROUP_LABEL_DEFS = [L.user, L.process, L.executable, L.containerId] as const;
export type GroupLabel = (typeof GROUP_LABEL_DEFS)[number]['name'];
export const GROUP_LABELS: readonly GroupLabel[] = GROUP_LABEL_DEFS.map((l) => l.name);
export const DEFAULT_GROUP_BY: GroupLabel[] = ['user', 'process'];

/**
 * Every label by its Prometheus name (for the OTLP mapping of the per-group labels); a name declared
 * twice (reason) maps to its first declaration here, and to its own in the families that declare it.
 */
export const LABELS_BY_NAME: ReadonlyMap<string, LabelDef> = new Map(
  Object.values(L)
    .reverse()
    .map((l) => [l.name, l]),
);
