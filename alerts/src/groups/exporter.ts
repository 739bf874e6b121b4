/** The sensor itself: an exporter that fails, lags, cannot see, drops series or is down is a blind spot. */
import { metric } from '../names.js';
import { parseDuration } from '../duration.js';
import { alertingRule, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

export function exporterGroup(t: Tunables): RuleGroup {
  const e = t.exporter;
  return {
    name: 'lsof-exporter.exporter',
    rules: [
      alertingRule(
        {
          alert: 'LsofExporterScansFailing',
          expr: `rate(${metric('scans_total')}{result="failure"}[${e.failureRateWindow}]) > 0`,
          for: e.scansFailingFor,
          severity: 'warning',
          summary: 'lsof-exporter scans fail on {{ $labels.instance }}.',
          description: `Scans of /proc by the exporter on {{ $labels.instance }} have been failing for ${e.scansFailingFor} ({{ $value | humanize }} failures/s); its metrics are not being refreshed.`,
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofExporterStale',
          expr: `time() - ${metric('scan_last_success_timestamp_seconds')} > ${parseDuration(e.staleAfter)}`,
          for: e.staleFor,
          severity: 'warning',
          summary: 'lsof-exporter data on {{ $labels.instance }} is {{ $value | humanizeDuration }} old.',
          description: `The last successful scan of the exporter on {{ $labels.instance }} completed {{ $value | humanizeDuration }} ago (threshold ${e.staleAfter}): listeners opened since are not seen.`,
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofExporterBlind',
          expr: `${metric('scan_uninspectable_processes')} > 0`,
          for: e.blindFor,
          severity: 'warning',
          summary: 'lsof-exporter cannot inspect {{ $value }} processes on {{ $labels.instance }}.',
          description:
            'The exporter on {{ $labels.instance }} may not read the descriptors of {{ $value }} processes: their listeners show without ' +
            'process or user of the holder, and their descriptors and deleted files are not counted.',
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofExporterSeriesCapped',
          expr: `max by (instance, job, metric) (${metric('series_dropped')}) > 0`,
          for: e.seriesCappedFor,
          severity: 'warning',
          summary: 'lsof-exporter drops {{ $value }} series of {{ $labels.metric }} on {{ $labels.instance }}.',
          description:
            'The --metrics.max-series cap leaves {{ $value }} series of {{ $labels.metric }} out on {{ $labels.instance }}; ' +
            'a listener in the dropped part is invisible to the listener alerts.',
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofExporterDown',
          expr: `up{${t.jobSelector}} == 0`,
          for: e.downFor,
          severity: 'warning',
          summary: 'lsof-exporter target {{ $labels.instance }} is down.',
          description: `Prometheus has failed to scrape the exporter at {{ $labels.instance }} (job {{ $labels.job }}) for ${e.downFor}: nothing on that host is being watched.`,
        },
        t.runbookUrl,
      ),
    ],
  };
}
