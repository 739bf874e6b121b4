/**
 * The metric contract: every family the exporter exposes is defined here once (name, type, help,
 * labels, OTLP name) with how its samples are read from the ExporterView. docs/metrics.md documents
 * the same list; test/unit/metrics-doc.test.ts fails when the two disagree.
 */
import { FD_TYPES } from '../procfs/fd-target.js';
import { SCAN_PHASES, SKIP_REASONS } from '../scan/snapshot.js';
import { SNAPSHOT_FAMILIES, type SnapshotFamily } from '../model/aggregate.js';
import type { Sample } from '../model/sample.js';
import type { ExporterView } from './exporter-view.js';
import { REVISION, VERSION } from '../version.js';

export const NAMESPACE = 'lsof';

export interface FamilyDef {
  /** Name without the lsof_ prefix. */
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  /** Label names; the per-group families take theirs from --group.by at run time. */
  labels: readonly string[] | 'group' | 'group+type';
  /** Name when pushed over OTLP (semantic conventions where they exist, lsof.* otherwise). */
  otelName: string;
  unit: string;
  read: (v: ExporterView) => Sample[];
}

const LISTENER_LABELS = ['protocol', 'family', 'address', 'port', 'user', 'process', 'executable', 'netns', 'container_id', 'container_runtime', 'pod_uid'] as const;

function fromModel(family: SnapshotFamily) {
  return (v: ExporterView): Sample[] => v.model?.samples[family] ?? [];
}

function fromStats(pick: (s: NonNullable<ExporterView['snapshot']>['stats']) => number) {
  return (v: ExporterView): Sample[] => (v.snapshot ? [{ labels: {}, value: pick(v.snapshot.stats) }] : []);
}

/** One series per namespace would be hundreds on a Kubernetes node: the slowest are the useful ones. */
const SOCKET_TABLE_SERIES = 20;

function slowestNamespaces(seconds: Record<string, number>): Sample[] {
  return Object.entries(seconds)
    .sort(([, a], [, b]) => b - a)
    .slice(0, SOCKET_TABLE_SERIES)
    .map(([netns, value]) => ({ labels: { netns }, value }));
}

function one(value: number | null): Sample[] {
  return value === null ? [] : [{ labels: {}, value }];
}

export const FAMILIES: readonly FamilyDef[] = [
  {
    name: 'listener_processes',
    type: 'gauge',
    help: 'Listening TCP socket or bound unconnected UDP socket; value is the number of processes of this user/process/executable holding it (0: no inspectable holder).',
    labels: LISTENER_LABELS,
    otelName: 'lsof.listener.processes',
    unit: '{process}',
    read: fromModel('listener_processes'),
  },
  {
    name: 'open_fds',
    type: 'gauge',
    help: `Open file descriptors by process group and type (${FD_TYPES.join(', ')}).`,
    labels: 'group+type',
    otelName: 'process.open_file_descriptor.count',
    unit: '{file_descriptor}',
    read: fromModel('open_fds'),
  },
  {
    name: 'processes',
    type: 'gauge',
    help: 'Processes by group (kernel threads and zombies excluded).',
    labels: 'group',
    otelName: 'lsof.process.count',
    unit: '{process}',
    read: fromModel('processes'),
  },
  {
    name: 'fd_limit_utilization_max_ratio',
    type: 'gauge',
    help: 'Highest open-descriptor count / soft RLIMIT_NOFILE among the processes of the group.',
    labels: 'group',
    otelName: 'lsof.process.open_file_descriptor.limit_utilization',
    unit: '1',
    read: fromModel('fd_limit_utilization_max_ratio'),
  },
  {
    name: 'deleted_open_files',
    type: 'gauge',
    help: 'Deleted-but-open files (link count 0), each counted once, in the group of its lowest-pid holder.',
    labels: 'group',
    otelName: 'lsof.deleted_file.count',
    unit: '{file}',
    read: fromModel('deleted_open_files'),
  },
  {
    name: 'deleted_open_bytes',
    type: 'gauge',
    help: 'Bytes pinned by deleted-but-open files, each file counted once (by device and inode).',
    labels: 'group',
    otelName: 'lsof.deleted_file.size',
    unit: 'By',
    read: fromModel('deleted_open_bytes'),
  },
  {
    name: 'deleted_open_file_size_bytes',
    type: 'gauge',
    help: 'Size of each of the largest deleted-but-open files (--deleted.top), with path and lowest-pid holder.',
    labels: ['user', 'process', 'pid', 'path', 'device', 'inode'],
    otelName: 'lsof.deleted_file.top.size',
    unit: 'By',
    read: fromModel('deleted_open_file_size_bytes'),
  },
  {
    name: 'deleted_executable_processes',
    type: 'gauge',
    help: 'Processes running an executable that has been deleted (link count 0).',
    labels: ['user', 'process', 'executable'],
    otelName: 'lsof.process.deleted_executable.count',
    unit: '{process}',
    read: fromModel('deleted_executable_processes'),
  },
  {
    name: 'scan_duration_seconds',
    type: 'gauge',
    help: 'Wall time of the last completed scan.',
    labels: [],
    otelName: 'lsof.scan.duration',
    unit: 's',
    read: fromStats((s) => s.durationSeconds),
  },
  {
    name: 'scan_phase_duration_seconds',
    type: 'gauge',
    help: `Wall time of each phase of the last completed scan (${SCAN_PHASES.join(', ')}).`,
    labels: ['phase'],
    otelName: 'lsof.scan.phase.duration',
    unit: 's',
    read: (v) => (v.snapshot ? SCAN_PHASES.map((phase) => ({ labels: { phase }, value: v.snapshot!.stats.phaseSeconds[phase] })) : []),
  },
  {
    name: 'scan_socket_table_duration_seconds',
    type: 'gauge',
    help: 'Wall time the last scan spent reading and parsing the socket tables of each network namespace (the slowest 20).',
    labels: ['netns'],
    otelName: 'lsof.scan.socket_table.duration',
    unit: 's',
    read: (v) => slowestNamespaces(v.snapshot?.stats.socketTableSeconds ?? {}),
  },
  {
    name: 'scan_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time when the last successful scan completed.',
    labels: [],
    otelName: 'lsof.scan.last_success.time',
    unit: 's',
    read: (v) => one(v.lastSuccessMs === null ? null : v.lastSuccessMs / 1000),
  },
  {
    name: 'scans_total',
    type: 'counter',
    help: 'Scans attempted since start, by result (success, failure).',
    labels: ['result'],
    otelName: 'lsof.scan.count',
    unit: '{scan}',
    read: (v) => [
      { labels: { result: 'success' }, value: v.scansSucceeded },
      { labels: { result: 'failure' }, value: v.scansFailed },
    ],
  },
  {
    name: 'scan_processes',
    type: 'gauge',
    help: 'Processes included in the last scan.',
    labels: [],
    otelName: 'lsof.scan.processes',
    unit: '{process}',
    read: fromStats((s) => s.processesScanned),
  },
  {
    name: 'scan_fds',
    type: 'gauge',
    help: 'Open descriptors counted in the last scan.',
    labels: [],
    otelName: 'lsof.scan.file_descriptors',
    unit: '{file_descriptor}',
    read: fromStats((s) => s.fdsScanned),
  },
  {
    name: 'scan_fd_links_read',
    type: 'gauge',
    help: 'Descriptors whose link was actually read in the last scan (the rest came from the cache).',
    labels: [],
    otelName: 'lsof.scan.file_descriptor.links_read',
    unit: '{file_descriptor}',
    read: fromStats((s) => s.fdLinksRead),
  },
  {
    name: 'scan_cache_lookups',
    type: 'gauge',
    help: 'Per-process descriptor cache lookups in the last scan, by result (hit, miss).',
    labels: ['result'],
    otelName: 'lsof.scan.cache.lookups',
    unit: '{lookup}',
    read: (v) =>
      v.snapshot
        ? [
            { labels: { result: 'hit' }, value: v.snapshot.stats.cacheHits },
            { labels: { result: 'miss' }, value: v.snapshot.stats.cacheMisses },
          ]
        : [],
  },
  {
    name: 'scan_native_fast_path',
    type: 'gauge',
    help: 'Whether the last scan read descriptors through the native fast path (1) or the slower TypeScript path (0): addon not built, or LSOF_EXPORTER_NATIVE=0.',
    labels: [],
    otelName: 'lsof.scan.native_fast_path',
    unit: '1',
    read: fromStats((s) => (s.nativeFastPath ? 1 : 0)),
  },
  {
    name: 'scan_skipped_processes',
    type: 'gauge',
    help: `Processes skipped in the last scan, by reason (${SKIP_REASONS.join(', ')}).`,
    labels: ['reason'],
    otelName: 'lsof.scan.skipped_processes',
    unit: '{process}',
    read: (v) => (v.snapshot ? SKIP_REASONS.map((reason) => ({ labels: { reason }, value: v.snapshot!.stats.skipped[reason] })) : []),
  },
  {
    name: 'scan_errors',
    type: 'gauge',
    help: 'Non-fatal read errors in the last scan, by source (passwd, passwd_lines, socket_tables, fd_read, deleted_stat).',
    labels: ['source'],
    otelName: 'lsof.scan.errors',
    unit: '{error}',
    read: (v) => Object.entries(v.snapshot?.stats.errors ?? {}).map(([source, value]) => ({ labels: { source }, value })),
  },
  {
    name: 'scan_uninspectable_processes',
    type: 'gauge',
    help: 'Processes whose descriptors could not be read for lack of privilege (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH) in the last scan.',
    labels: [],
    otelName: 'lsof.scan.uninspectable_processes',
    unit: '{process}',
    read: fromStats((s) => s.uninspectable),
  },
  {
    name: 'scan_network_namespaces',
    type: 'gauge',
    help: 'Distinct network namespaces whose socket tables the last scan read.',
    labels: [],
    otelName: 'lsof.scan.network_namespaces',
    unit: '{namespace}',
    read: fromStats((s) => s.netnsCount),
  },
  {
    name: 'series_dropped',
    type: 'gauge',
    help: 'Series left out of a family by the --metrics.max-series cap in the current snapshot.',
    labels: ['family'],
    otelName: 'lsof.series.dropped',
    unit: '{series}',
    read: (v) => SNAPSHOT_FAMILIES.map((family) => ({ labels: { family: `${NAMESPACE}_${family}` }, value: v.model?.dropped[family] ?? 0 })),
  },
  {
    name: 'listener_polls_total',
    type: 'counter',
    help: 'Polls of the socket tables between full scans (the fast new-listener path).',
    labels: [],
    otelName: 'lsof.listener.polls',
    unit: '{poll}',
    read: (v) => [{ labels: {}, value: v.listenerPolls }],
  },
  {
    name: 'exporter_build_info',
    type: 'gauge',
    help: 'Constant 1, labelled with the exporter version, the git commit it was built from (revision, "unknown" when not known) and the Node.js version running it.',
    labels: ['version', 'revision', 'nodejs_version'],
    otelName: 'lsof.exporter.build_info',
    unit: '1',
    read: () => [{ labels: { version: VERSION, revision: REVISION, nodejs_version: process.version }, value: 1 }],
  },
];

export function fullName(def: FamilyDef): string {
  return `${NAMESPACE}_${def.name}`;
}

/** The concrete label names of a family for the configured grouping. */
export function labelNames(def: FamilyDef, groupBy: readonly string[]): string[] {
  if (def.labels === 'group') return [...groupBy];
  if (def.labels === 'group+type') return [...groupBy, 'type'];
  return [...def.labels];
}
