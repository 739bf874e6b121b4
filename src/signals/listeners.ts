/**
 * Listening sockets (`lsof -i -sTCP:LISTEN`, `ss -ltnup`): one series per (socket identity, holder
 * user/process/executable), so forked workers sharing a socket are one series whose value counts
 * them. A socket no visible process holds (kernel-owned, or held only by processes we may not
 * inspect) is still reported, with the socket's own uid and value 0.
 */
import { SampleGroups } from '../model/sample.js';
import { withHolders } from '../scan/listener-hold.js';
import type { HeldListener, ProcessRecord, ScanContext } from '../scan/context.js';
import { family, type LabelsOf } from './family.js';
import { L } from './labels.js';
import { defineSignal } from './signal.js';

export const LISTENER_LABELS = [L.protocol, L.family, L.address, L.port, L.user, L.process, L.executable, L.netns, L.containerId, L.containerRuntime, L.podUid] as const;

export const listenerProcesses = family('listener_processes', {
  type: 'gauge',
  help: 'Listening TCP socket or bound unconnected UDP socket; value is the number of processes of this user/process/executable holding it (0: no inspectable holder).',
  labels: LISTENER_LABELS,
  otelName: 'lsof.listener.processes',
  unit: '{process}',
});

/**
 * Per account, not per socket: bounded by the accounts of the host, so it is never capped, and a user
 * who floods the capped family with listeners is itself a signal (LsofListenerFlood).
 */
export const listeningSockets = family('listening_sockets', {
  type: 'gauge',
  help: 'Listening TCP and unconnected UDP sockets by the user that created them (the socket uid); not subject to --metrics.max-series.',
  labels: [L.user],
  otelName: 'lsof.listener.sockets',
  unit: '{socket}',
  uncapped: true,
});

export const listenersSignal = defineSignal({
  name: 'listeners',
  help: 'Listening TCP and unconnected UDP sockets with the user, process and executable holding them.',
  enabledByDefault: true,
  needs: {},
  families: { listenerProcesses, listeningSockets },
  derive: (ctx) => ({ listenerProcesses: listenerSamples(ctx), listeningSockets: socketsByUser(ctx) }),
});

function socketsByUser(ctx: ScanContext) {
  const groups = new SampleGroups<LabelsOf<typeof listeningSockets>>();
  const owner = socketUidNames(ctx.processes);
  for (const { listener } of listenerRows(ctx)) groups.add({ user: owner(listener.socketUid) }, 1);
  return groups.samples();
}

/** The scan's open listeners with their holders' records, then the held ones (listener-hold.ts). */
function listenerRows(ctx: ScanContext): HeldListener[] {
  return [...withHolders(ctx.listeners, ctx.processes), ...ctx.heldListeners];
}

function listenerSamples(ctx: ScanContext) {
  const groups = new SampleGroups<LabelsOf<typeof listenerProcesses>>();
  const socketOwner = socketUidNames(ctx.processes);
  for (const { listener: l, holders } of listenerRows(ctx)) {
    const base = { protocol: l.protocol, family: l.family, address: l.address, port: String(l.port) };
    const netns = l.netns === ctx.hostNetns ? '' : l.netns;
    if (holders.length === 0) {
      groups.add({ ...base, user: socketOwner(l.socketUid), process: '', executable: '', netns, container_id: '', container_runtime: '', pod_uid: '' }, 0);
      continue;
    }
    for (const p of holders) {
      const container = { container_id: p.container.id, container_runtime: p.container.runtime, pod_uid: p.container.podUid };
      groups.add({ ...base, user: p.user, process: p.comm, executable: p.exe, netns, ...container }, 1);
    }
  }
  return groups.samples();
}

/** uid -> name as the scan resolved it; a uid no scanned process runs as falls back to the number. */
function socketUidNames(processes: readonly ProcessRecord[]): (uid: number) => string {
  const names = new Map<number, string>();
  for (const p of processes) names.set(p.euid, p.user);
  return (uid) => names.get(uid) ?? String(uid);
}
