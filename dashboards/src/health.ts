/**
 * Exporter health: is the exporter scanning, how fresh and complete is what it serves, and what
 * does a scan cost. A blind or stale exporter makes every other dashboard quietly wrong.
 */
import { metric } from '../../src/metrics/names.js';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { baseDashboard, finish } from './dashboard.js';
import { instantQuery, rangeQuery, stackedPanel, statPanel, thresholds, timeseriesPanel } from './panels.js';
import { select } from './promql.js';

export const HEALTH_QUERIES = {
  targetsDown: `count(${select('up')} == 0) or vector(0)`,
  scanAge: `time() - ${select(metric('scan_last_success_timestamp_seconds'))}`,
  scanDuration: select(metric('scan_duration_seconds')),
  phaseDuration: select(metric('scan_phase_duration_seconds')),
  scans: `sum by (instance, result) (rate(${select(metric('scans_total'))}[$__rate_interval]))`,
  processesScanned: select(metric('scan_processes')),
  fdsScanned: select(metric('scan_fds')),
  fdLinksRead: select(metric('scan_fd_links_read')),
  cacheLookups: select(metric('scan_cache_lookups')),
  skipped: `sum by (instance, reason) (${select(metric('scan_skipped_processes'))})`,
  errors: `sum by (instance, source) (${select(metric('scan_errors'))})`,
  uninspectable: select(metric('scan_uninspectable_processes')),
  withoutNativePath: `count(${select(metric('scan_native_fast_path'))} == 0) or vector(0)`,
  seriesDropped: `sum by (instance, metric) (${select(metric('series_dropped'))})`,
  scrapeDuration: select('scrape_duration_seconds'),
};

function freshnessPanels() {
  return [
    statPanel(
      {
        title: 'Targets down',
        what: 'Exporter targets that Prometheus failed to scrape on its last attempt.',
        healthy: '0.',
        alerts: ['LsofExporterDown'],
      },
      'none',
      instantQuery(HEALTH_QUERIES.targetsDown, 'down'),
    ).thresholds(thresholds(1)),
    statPanel(
      {
        title: 'Oldest scan age',
        what: 'Age of the data served by the most out-of-date selected exporter: time since its last successful scan completed.',
        healthy: 'below the scan interval plus the scrape interval (about 30s with the defaults).',
        alerts: ['LsofExporterStale'],
      },
      's',
      instantQuery(`max(${HEALTH_QUERIES.scanAge})`, 'age'),
    ).thresholds(thresholds(60, 600)),
    statPanel(
      {
        title: 'Uninspectable processes (max)',
        what: 'The most processes any selected exporter may not read the descriptors of (it lacks CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH).',
        healthy: '0: a non-zero value means the exporter is partly blind (listeners without holder, descriptors not counted).',
        alerts: ['LsofExporterBlind'],
      },
      'none',
      instantQuery(`max(${HEALTH_QUERIES.uninspectable})`, 'uninspectable'),
    ).thresholds(thresholds(1)),
    statPanel(
      {
        title: 'Series dropped by caps (total)',
        what: 'Series left out of the snapshot families by --metrics.max-series, summed over the selected exporters.',
        healthy: '0: anything above means a listener or file may be invisible to the alerts.',
        alerts: ['LsofExporterSeriesCapped'],
      },
      'none',
      instantQuery(`sum(${HEALTH_QUERIES.seriesDropped})`, 'dropped'),
    ).thresholds(thresholds(1)),
    timeseriesPanel(
      {
        title: 'Scan age',
        what: 'Time since the last successful scan completed, per exporter.',
        healthy: 'a sawtooth below the scan interval plus the scrape interval.',
        alerts: ['LsofExporterStale'],
      },
      's',
      rangeQuery(HEALTH_QUERIES.scanAge, '{{instance}}'),
    ),
    timeseriesPanel(
      {
        title: 'Scans',
        what: 'Scans per second by result.',
        healthy: 'success at 1 / scan interval (plus scans started by the listener poll), failure at 0.',
        alerts: ['LsofExporterScansFailing'],
      },
      'ops',
      rangeQuery(HEALTH_QUERIES.scans, '{{instance}} {{result}}'),
    ),
  ];
}

function costPanels() {
  return [
    statPanel(
      {
        title: 'Exporters without the native fast path',
        what: 'Selected exporters scanning with the TypeScript path: the native addon was not built at install (no python3, make, g++) or LSOF_EXPORTER_NATIVE=0.',
        healthy: '0: the same answers either way, but the TypeScript path costs about 1.6x the CPU of a cold scan.',
      },
      'none',
      instantQuery(HEALTH_QUERIES.withoutNativePath, 'exporters'),
    ).thresholds(thresholds(1)),
    timeseriesPanel(
      {
        title: 'Scan duration',
        what: 'Wall time of the last completed scan, per exporter.',
        healthy: 'well below the scan interval (typically tens of milliseconds for a few hundred processes).',
      },
      's',
      rangeQuery(HEALTH_QUERIES.scanDuration, '{{instance}}'),
    ),
    stackedPanel(
      {
        title: 'Scan duration by phase',
        what: 'Wall time of each phase of the last scan: processes, descriptors, sockets, unix_sockets, deleted_files.',
        healthy: 'descriptors small thanks to the cache; sockets grows with network namespaces; unix_sockets small (new sockets are asked one by one on the native fast path).',
      },
      's',
      rangeQuery(HEALTH_QUERIES.phaseDuration, '{{instance}} {{phase}}'),
    ),
    timeseriesPanel(
      {
        title: 'Processes and descriptors scanned',
        what: 'Processes included in the last scan (left axis) and descriptors counted in it (right axis).',
        healthy: 'follows the host’s workload; a sudden drop with skips or errors rising means the scan misses processes.',
      },
      'none',
      rangeQuery(HEALTH_QUERIES.processesScanned, '{{instance}} processes', 'A'),
      rangeQuery(HEALTH_QUERIES.fdsScanned, '{{instance}} descriptors', 'B'),
    ).overrideByQuery('B', [{ id: 'custom.axisPlacement', value: 'right' }]),
    timeseriesPanel(
      {
        title: 'Descriptor links read and cache lookups',
        what: 'Descriptor links the last scan actually read, and the per-process descriptor-table cache lookups by result (hit: table reused).',
        healthy: 'mostly hits and few links read on a quiet host; all misses with --scan.fd-cache-max-age=0.',
      },
      'none',
      rangeQuery(HEALTH_QUERIES.fdLinksRead, '{{instance}} links read', 'A'),
      rangeQuery(HEALTH_QUERIES.cacheLookups, '{{instance}} cache {{result}}', 'B'),
    ),
    stackedPanel(
      {
        title: 'Skipped processes by reason',
        what: 'Processes left out of the last scan: exited mid-scan, zombie, kernel_thread, pid_reused, unparsable.',
        healthy: 'kernel_thread constant, a few exited on a busy host, unparsable 0.',
      },
      'none',
      rangeQuery(HEALTH_QUERIES.skipped, '{{instance}} {{reason}}'),
    ),
    stackedPanel(
      {
        title: 'Scan errors by source',
        what: 'Non-fatal errors of the last scan by source: passwd, passwd_lines, socket_tables, fd_read, deleted_stat.',
        healthy: 'no series at all (sources with no error are not exported); an occasional deleted_stat is a race, not a fault.',
      },
      'none',
      rangeQuery(HEALTH_QUERIES.errors, '{{instance}} {{source}}'),
    ),
    timeseriesPanel(
      {
        title: 'Uninspectable processes',
        what: 'Processes whose descriptors the exporter may not read, per exporter.',
        healthy: '0 (run as root or with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH).',
        alerts: ['LsofExporterBlind'],
      },
      'none',
      rangeQuery(HEALTH_QUERIES.uninspectable, '{{instance}}'),
    ),
    timeseriesPanel(
      {
        title: 'Series dropped by caps',
        what: 'Series left out of each snapshot family by the --metrics.max-series cap.',
        healthy: '0 for every family; on a normal host a cap being reached is itself suspicious.',
        alerts: ['LsofExporterSeriesCapped'],
      },
      'none',
      rangeQuery(HEALTH_QUERIES.seriesDropped, '{{instance}} {{metric}}'),
    ),
    timeseriesPanel(
      {
        title: 'Scrape duration',
        what: 'How long Prometheus took to scrape each exporter. A scrape only serves the last snapshot and never starts a scan.',
        healthy: 'milliseconds, far below the scrape timeout.',
        alerts: ['LsofExporterDown'],
      },
      's',
      rangeQuery(HEALTH_QUERIES.scrapeDuration, '{{instance}}'),
    ),
  ];
}

export function healthDashboard(): Dashboard {
  let builder = baseDashboard(
    'lsof-exporter-health',
    'lsof-exporter / Exporter health',
    'Whether the exporters scan, how fresh and complete their data is, and what a scan costs.',
  );
  for (const panel of [...freshnessPanels(), ...costPanels()]) builder = builder.withPanel(panel);
  return finish(builder);
}
