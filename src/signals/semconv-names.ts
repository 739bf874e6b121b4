/**
 * The OpenTelemetry semantic-convention names the families use, as literals whose types come from
 * @opentelemetry/semantic-conventions: a type-only import, so a rename or removal upstream is a type
 * error here, and nothing of the package is loaded at run time. Importing its incubating entry point
 * (2,612 exports) cost 3.5 MiB of heap in each thread that loads the signals, the main thread and the
 * scan worker; only the OTLP exporter, loaded when `--otlp.*` asks for it, imports the package.
 */
import type * as semconv from '@opentelemetry/semantic-conventions/incubating';

export const ATTR_CONTAINER_ID: typeof semconv.ATTR_CONTAINER_ID = 'container.id';
export const ATTR_CONTAINER_RUNTIME_NAME: typeof semconv.ATTR_CONTAINER_RUNTIME_NAME = 'container.runtime.name';
export const ATTR_FILE_INODE: typeof semconv.ATTR_FILE_INODE = 'file.inode';
export const ATTR_FILE_PATH: typeof semconv.ATTR_FILE_PATH = 'file.path';
export const ATTR_K8S_POD_UID: typeof semconv.ATTR_K8S_POD_UID = 'k8s.pod.uid';
export const ATTR_NETWORK_LOCAL_ADDRESS: typeof semconv.ATTR_NETWORK_LOCAL_ADDRESS = 'network.local.address';
export const ATTR_NETWORK_CONNECTION_STATE: typeof semconv.ATTR_NETWORK_CONNECTION_STATE = 'network.connection.state';
export const ATTR_NETWORK_LOCAL_PORT: typeof semconv.ATTR_NETWORK_LOCAL_PORT = 'network.local.port';
export const ATTR_NETWORK_PEER_PORT: typeof semconv.ATTR_NETWORK_PEER_PORT = 'network.peer.port';
export const ATTR_NETWORK_TRANSPORT: typeof semconv.ATTR_NETWORK_TRANSPORT = 'network.transport';
export const ATTR_NETWORK_TYPE: typeof semconv.ATTR_NETWORK_TYPE = 'network.type';
export const ATTR_PROCESS_EXECUTABLE_NAME: typeof semconv.ATTR_PROCESS_EXECUTABLE_NAME = 'process.executable.name';
export const ATTR_PROCESS_EXECUTABLE_PATH: typeof semconv.ATTR_PROCESS_EXECUTABLE_PATH = 'process.executable.path';
export const ATTR_PROCESS_OWNER: typeof semconv.ATTR_PROCESS_OWNER = 'process.owner';
export const ATTR_PROCESS_PID: typeof semconv.ATTR_PROCESS_PID = 'process.pid';
export const ATTR_PROCESS_RUNTIME_VERSION: typeof semconv.ATTR_PROCESS_RUNTIME_VERSION = 'process.runtime.version';

export const NETWORK_CONNECTION_STATE_VALUE_CLOSE_WAIT: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_CLOSE_WAIT = 'close_wait';
export const NETWORK_CONNECTION_STATE_VALUE_CLOSED: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_CLOSED = 'closed';
export const NETWORK_CONNECTION_STATE_VALUE_CLOSING: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_CLOSING = 'closing';
export const NETWORK_CONNECTION_STATE_VALUE_ESTABLISHED: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_ESTABLISHED = 'established';
export const NETWORK_CONNECTION_STATE_VALUE_FIN_WAIT_1: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_FIN_WAIT_1 = 'fin_wait_1';
export const NETWORK_CONNECTION_STATE_VALUE_FIN_WAIT_2: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_FIN_WAIT_2 = 'fin_wait_2';
export const NETWORK_CONNECTION_STATE_VALUE_LAST_ACK: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_LAST_ACK = 'last_ack';
export const NETWORK_CONNECTION_STATE_VALUE_SYN_RECEIVED: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_SYN_RECEIVED = 'syn_received';
export const NETWORK_CONNECTION_STATE_VALUE_SYN_SENT: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_SYN_SENT = 'syn_sent';
export const NETWORK_CONNECTION_STATE_VALUE_TIME_WAIT: typeof semconv.NETWORK_CONNECTION_STATE_VALUE_TIME_WAIT = 'time_wait';
