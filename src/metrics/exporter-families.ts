/**
 * The exporter's own families (scan statistics, scan loop counters, per-collector health, build
 * info): declared like the signals' families, read from the ExporterView rather than derived from a
 * scan context, and always on.
 */
import { family, fullName, type Family, type Sample } from '../signals/family.js';
import { L } from '../signals/labels.js';
import { ERROR_SOURCES, SCAN_PHASES, SKIP_REASONS, type ScanStats } from '../scan/scan-stats.js';
import { REVISION, VERSION } from '../version.js';
import type { ExporterView } from './exporter-view.js';

export interface ViewFamily {
  family: Family;
  read: (v: ExporterView) => Sample[];
}

function fromStats(pick: (s: ScanStats) => number) {
  return (v: ExporterView): Sample[] => (v.stats ? [{ labels: {}, value: pick(v.stats) }] : []);
}

/** One sample per value of a closed set, zeros included, so rate() and absent() behave from the start. */
function byKey<K extends string>(label: string, keys: readonly K[], pick: (s: ScanStats) => Readonly<Record<K, number>>) {
  return (v: ExporterView): Sample[] => {
    const stats = v.stats;
    if (!stats) return [];
    const values = pick(stats);
    return keys.map((k) => ({ labels: { [label]: k }, value: values[k] }));
  };
}

/** One series per namespace would be hundreds on a Kubernetes node: the slowest are the useful ones. */
const SOCKET_TABLE_SERIES = 20;

function slowestNamespaces(seconds: Readonly<Record<string, number>>): Sample[] {
  return Object.entries(seconds)
    .sort(([, a], [, b]) => b - a)
    .slice(0, SOCKET_TABLE_SERIES)
    .map(([netns, value]) => ({ labels: { netns }, value }));
}

function one(value: number | null): Sample[] {
  return value === null ? [] : [{ labels: {}, value }];
}

const gauge = <const N extends string>(name: N, help: string, otelName: string, unit: string, labels: readonly (typeof L)[keyof typeof L][] = []) =>
  family(name, { type: 'gauge', help, labels, otelName, unit });

export const EXPORTER_FAMILIES = [
  { family: gauge('scan_duration_seconds', 'Wall time of the last completed scan.', 'lsof.scan.duration', 's'), read: fromStats((s) => s.durationSeconds) },
  {
    family: gauge('scan_phase_duration_seconds', `Wall time of each phase of the last completed scan (${SCAN_PHASES.join(', ')}).`, 'lsof.scan.phase.duration', 's', [L.phase]),
    read: byKey('phase', SCAN_PHASES, (s) => s.phaseSeconds),
  },
  {
    family: gauge(
      'scan_socket_table_duration_seconds',
      'Wall time the last scan spent reading and parsing the socket tables of each network namespace (the slowest 20).',
      'lsof.scan.socket_table.duration',
      's',
      [L.netns],
    ),
    read: (v) => slowestNamespaces(v.stats?.socketTableSeconds ?? {}),
  },
  {
    family: gauge('scan_last_success_timestamp_seconds', 'Unix time when the last successful scan completed.', 'lsof.scan.last_success.time', 's'),
    read: (v) => one(v.lastSuccessMs === null ? null : v.lastSuccessMs / 1000),
  },
  {
    family: family('scans_total', { type: 'counter', help: 'Scans attempted since start, by result (success, failure).', labels: [L.result], otelName: 'lsof.scan.count', unit: '{scan}' }),
    read: (v) => [
      { labels: { result: 'success' }, value: v.scansSucceeded },
      { labels: { result: 'failure' }, value: v.scansFailed },
    ],
  },
  {
    family: family('scans_abandoned_total', {
      type: 'counter',
      help: 'Scans abandoned at the --scan.timeout deadline (stuck in a call that did not return, such as a stat on a hung FUSE or NFS mount); the scan worker was replaced.',
      otelName: 'lsof.scan.abandoned',
      unit: '{scan}',
    }),
    read: (v) => [{ labels: {}, value: v.scansAbandoned }],
  },
  {
    family: gauge(
      'scan_hung_targets',
      'Open files (process descriptor, exe or cwd) an earlier scan hung on, which the scans since skip until their process exits.',
      'lsof.scan.hung_targets',
      '{file}',
    ),
    read: (v) => [{ labels: {}, value: v.hungTargets }],
  },
  { family: gauge('scan_processes', 'Processes included in the last scan.', 'lsof.scan.processes', '{process}'), read: fromStats((s) => s.processesScanned) },
  { family: gauge('scan_fds', 'Open descriptors counted in the last scan.', 'lsof.scan.file_descriptors', '{file_descriptor}'), read: fromStats((s) => s.fdsScanned) },
  {
    family: gauge('scan_fd_links_read', 'Descriptors whose link was actually read in the last scan (the rest came from the cache).', 'lsof.scan.file_descriptor.links_read', '{file_descriptor}'),
    read: fromStats((s) => s.fdLinksRead),
  },
  {
    family: gauge('scan_cache_lookups', 'Per-process descriptor cache lookups in the last scan, by result (hit, miss).', 'lsof.scan.cache.lookups', '{lookup}', [L.result]),
    read: (v) =>
      v.stats
        ? [
            { labels: { result: 'hit' }, value: v.stats.cacheHits },
            { labels: { result: 'miss' }, value: v.stats.cacheMisses },
          ]
        : [],
  },
  {
    family: gauge(
      'scan_native_fast_path',
      'Whether the last scan read descriptors through the native fast path (1) or the slower TypeScript path (0): addon not built, or LSOF_EXPORTER_NATIVE=0.',
      'lsof.scan.native_fast_path',
      '1',
    ),
    read: fromStats((s) => (s.nativeFastPath ? 1 : 0)),
  },
  {
    family: gauge('scan_skipped_processes', `Processes skipped in the last scan, by reason (${SKIP_REASONS.join(', ')}).`, 'lsof.scan.skipped_processes', '{process}', [L.skipReason]),
    read: byKey('reason', SKIP_REASONS, (s) => s.skipped),
  },
  {
    family: gauge('scan_errors', `Non-fatal read errors in the last scan, by source (${ERROR_SOURCES.join(', ')}).`, 'lsof.scan.errors', '{error}', [L.errorSource]),
    read: byKey('source', ERROR_SOURCES, (s) => s.errors),
  },
  {
    family: gauge(
      'scan_uninspectable_processes',
      'Processes whose descriptors could not be read for lack of privilege (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH) in the last scan.',
      'lsof.scan.uninspectable_processes',
      '{process}',
    ),
    read: fromStats((s) => s.uninspectable),
  },
  {
    family: gauge(
      'scan_deleted_candidates_dropped',
      'Descriptors whose link ends in " (deleted)" that the last scan did not check, over the bound of 256 per descriptor table (a process holding more).',
      'lsof.scan.deleted_candidates.dropped',
      '{file_descriptor}',
    ),
    read: fromStats((s) => s.deletedCandidatesDropped),
  },
  {
    family: gauge(
      'scan_memfds_dropped',
      'memfd descriptors the last scan did not stat, over the bound of 256 per descriptor table (a process holding more): the memory they pin is not in lsof_memfd_open_bytes.',
      'lsof.scan.memfds.dropped',
      '{file_descriptor}',
    ),
    read: fromStats((s) => s.memfdsDropped),
  },
  {
    family: gauge('scan_network_namespaces', 'Distinct network namespaces whose socket tables the last scan read.', 'lsof.scan.network_namespaces', '{namespace}'),
    read: fromStats((s) => s.netnsCount),
  },
  {
    family: gauge('series_dropped', 'Series left out of a family by the --metrics.max-series cap in the current snapshot, by metric family name.', 'lsof.series.dropped', '{series}', [L.metric]),
    read: (v) => Object.entries(v.model?.dropped ?? {}).map(([name, value]) => ({ labels: { metric: fullName({ name }) }, value })),
  },
  {
    family: family('listener_polls_total', { type: 'counter', help: 'Polls of the socket tables between full scans (the fast new-listener path).', otelName: 'lsof.listener.polls', unit: '{poll}' }),
    read: (v) => [{ labels: {}, value: v.listenerPolls }],
  },
  {
    family: family('listener_attributions_total', {
      type: 'counter',
      help: 'New listeners a poll saw, by how their holders were found: attributed (the socket uid and namespace narrowed the search, no full scan) or full_scan (left to an early full scan).',
      labels: [L.result],
      otelName: 'lsof.listener.attributions',
      unit: '{listener}',
    }),
    read: (v) => Object.entries(v.listenerAttributions).map(([result, value]) => ({ labels: { result }, value })),
  },
  {
    family: family('listener_hold_dropped_total', {
      type: 'counter',
      help: 'Listeners no longer open that left /metrics before their --scan.listener-hold-time because more than 4096 were held.',
      otelName: 'lsof.listener.hold.dropped',
      unit: '{listener}',
    }),
    read: (v) => [{ labels: {}, value: v.listenerHoldDropped }],
  },
  {
    family: gauge(
      'exporter_build_info',
      'Constant 1, labelled with the exporter version, the git commit it was built from (revision, "unknown" when not known) and the Node.js version running it.',
      'lsof.exporter.build_info',
      '1',
      [L.version, L.revision, L.nodejsVersion],
    ),
    read: () => [{ labels: { version: VERSION, revision: REVISION, nodejs_version: process.version }, value: 1 }],
  },
  {
    family: gauge('collector_success', 'Whether each enabled collector (signal) derived its families from the last scan (1) or failed (0).', 'lsof.collector.success', '1', [L.collector]),
    read: (v) => Object.entries(v.model?.health ?? {}).map(([collector, h]) => ({ labels: { collector }, value: h.success ? 1 : 0 })),
  },
  {
    family: gauge('collector_duration_seconds', 'Time each enabled collector (signal) took to derive its families from the last scan.', 'lsof.collector.duration', 's', [L.collector]),
    read: (v) => Object.entries(v.model?.health ?? {}).map(([collector, h]) => ({ labels: { collector }, value: h.durationSeconds })),
  },
] as const satisfies readonly ViewFamily[];

/** The name (without lsof_) of every exporter family, as a union of literals. */
export type ExporterFamilyName = (typeof EXPORTER_FAMILIES)[number]['family']['name'];

