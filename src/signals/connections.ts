/**
 * TCP connections by account and process, state and direction (`lsof -a -u www-data -i TCP`,
 * `ss -tnp`). The port of an outbound connection is a label only when it is one of the watched remote
 * ports (--connections.watched-remote-ports: IRC, Tor, mining pools by default), else "other", so the
 * series stay bounded; inbound connections are counted per listening port in their own family.
 */
import { NETWORK_CONNECTION_STATE_VALUE_CLOSE_WAIT, NETWORK_CONNECTION_STATE_VALUE_CLOSED, NETWORK_CONNECTION_STATE_VALUE_CLOSING, NETWORK_CONNECTION_STATE_VALUE_ESTABLISHED, NETWORK_CONNECTION_STATE_VALUE_FIN_WAIT_1, NETWORK_CONNECTION_STATE_VALUE_FIN_WAIT_2, NETWORK_CONNECTION_STATE_VALUE_LAST_ACK, NETWORK_CONNECTION_STATE_VALUE_SYN_RECEIVED, NETWORK_CONNECTION_STATE_VALUE_SYN_SENT, NETWORK_CONNECTION_STATE_VALUE_TIME_WAIT } from './semconv-names.js';
import { SampleGroups } from '../model/sample.js';
import type { ProcessRecord } from '../scan/context.js';
import { family, type LabelsOf } from './family.js';
import { L } from './labels.js';
import { defineSignal } from './signal.js';

/** Kernel TCP states (include/net/tcp_states.h) as the semantic conventions name them. */
const STATE_NAMES: Record<number, string> = {
  1: NETWORK_CONNECTION_STATE_VALUE_ESTABLISHED,
  2: NETWORK_CONNECTION_STATE_VALUE_SYN_SENT,
  3: NETWORK_CONNECTION_STATE_VALUE_SYN_RECEIVED,
  4: NETWORK_CONNECTION_STATE_VALUE_FIN_WAIT_1,
  5: NETWORK_CONNECTION_STATE_VALUE_FIN_WAIT_2,
  6: NETWORK_CONNECTION_STATE_VALUE_TIME_WAIT,
  7: NETWORK_CONNECTION_STATE_VALUE_CLOSED,
  8: NETWORK_CONNECTION_STATE_VALUE_CLOSE_WAIT,
  9: NETWORK_CONNECTION_STATE_VALUE_LAST_ACK,
  11: NETWORK_CONNECTION_STATE_VALUE_CLOSING,
  12: NETWORK_CONNECTION_STATE_VALUE_SYN_RECEIVED,
};

export const tcpConnections = family('tcp_connections', {
  type: 'gauge',
  help: 'TCP connections by user, process, state, direction (inbound: accepted by a local listener; outbound) and remote port (a watched remote port, else "other").',
  labels: [L.user, L.process, L.connectionState, L.direction, L.remotePort],
  otelName: 'lsof.tcp.connections',
  unit: '{connection}',
});

/**
 * The outbound connections to watched remote ports only, with the executable: a handful of series on
 * a clean host (none, usually), so the alert can name the program that phones home, not only its
 * process name (a dropped `bash` next to the system's).
 */
export const watchedConnections = family('watched_connections', {
  type: 'gauge',
  help: 'Outbound TCP connections to a watched remote port (--connections.watched-remote-ports), by user, process, executable, remote port and state.',
  labels: [L.user, L.process, L.executable, L.remotePort, L.connectionState],
  otelName: 'lsof.tcp.watched_connections',
  unit: '{connection}',
});

export const listenerConnections = family('listener_connections', {
  type: 'gauge',
  help: 'TCP connections accepted on each local listening port, by state and by the user and process holding them.',
  labels: [L.user, L.process, L.port, L.connectionState],
  otelName: 'lsof.listener.connections',
  unit: '{connection}',
});

export const connectionsSignal = defineSignal({
  name: 'connections',
  help: 'TCP connections by account, process, state and direction; watched remote ports by name.',
  enabledByDefault: true,
  needs: {},
  families: { tcpConnections, watchedConnections, listenerConnections },
  derive: (ctx, opts) => {
    const byPid = new Map(ctx.processes.map((p) => [p.pid, p]));
    const watched = new Set(opts.watchedRemotePorts);
    const all = new SampleGroups<LabelsOf<typeof tcpConnections>>();
    const perListener = new SampleGroups<LabelsOf<typeof listenerConnections>>();
    const toWatched = new SampleGroups<LabelsOf<typeof watchedConnections>>();
    for (const c of ctx.connections) {
      const p: ProcessRecord | undefined = byPid.get(c.pid);
      if (!p) continue;
      const state = STATE_NAMES[c.state] ?? `unknown_${c.state}`;
      const remote = c.direction === 'outbound' && watched.has(c.port) ? String(c.port) : 'other';
      all.add({ user: p.user, process: p.comm, state, direction: c.direction, remote_port: remote }, c.count);
      if (c.direction === 'inbound') perListener.add({ user: p.user, process: p.comm, port: String(c.port), state }, c.count);
      if (remote !== 'other') toWatched.add({ user: p.user, process: p.comm, executable: p.exe, remote_port: remote, state }, c.count);
    }
    return { tcpConnections: all.samples(), watchedConnections: toWatched.samples(), listenerConnections: perListener.samples() };
  },
});
