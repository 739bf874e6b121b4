/**
 * The HTTP side's own families: connections held and dropped, bcrypt checks, web config reloads. They
 * live here, not in the scan catalog (src/metrics/catalog.ts), because they describe the endpoint, not
 * a scan: they change per request, are not pushed over OTLP, and are appended to the /metrics body the
 * way the runtime metrics are (withHttpMetrics). docs/metrics.md "The HTTP endpoint" lists them.
 */
import client from 'prom-client';
import type { Exposition } from '../exporters/prometheus.js';
import type { DropReason } from './connection-guard.js';

/** The families below, which /metrics serves and the textfile (written by no HTTP server) does not. */
export const HTTP_FAMILIES = [
  'lsof_exporter_http_connections',
  'lsof_exporter_http_connections_max',
  'lsof_exporter_http_connections_dropped_total',
  'lsof_exporter_http_bcrypt_checks_total',
  'lsof_exporter_http_bcrypt_queue',
  'lsof_exporter_web_config_reloads_total',
] as const;

export interface HttpMetrics {
  registry: client.Registry;
  connectionDropped: (reason: DropReason) => void;
  bcryptChecked: (result: 'match' | 'mismatch') => void;
  webConfigReloaded: (result: 'success' | 'failure') => void;
}

export function createHttpMetrics(sources: { openConnections: () => number; maxConnections: number; bcryptQueued: () => number }): HttpMetrics {
  const registry = new client.Registry();
  const registers = [registry];
  new client.Gauge({
    name: 'lsof_exporter_http_connections',
    help: 'HTTP connections the exporter holds open now.',
    registers,
    collect() {
      this.set(sources.openConnections());
    },
  });
  new client.Gauge({ name: 'lsof_exporter_http_connections_max', help: 'Most HTTP connections held at once (--web.max-connections, lowered to fit the descriptor limit).', registers }).set(sources.maxConnections);
  const dropped = new client.Counter({
    name: 'lsof_exporter_http_connections_dropped_total',
    help: 'HTTP connections closed by the connection cap: evicted (oldest connection not being answered) or refused (every connection busy).',
    labelNames: ['reason'],
    registers,
  });
  const checks = new client.Counter({ name: 'lsof_exporter_http_bcrypt_checks_total', help: 'bcrypt comparisons run for basic auth (cached answers are not counted), by result.', labelNames: ['result'], registers });
  new client.Gauge({
    name: 'lsof_exporter_http_bcrypt_queue',
    help: 'Basic-auth checks waiting for or running bcrypt.',
    registers,
    collect() {
      this.set(sources.bcryptQueued());
    },
  });
  const reloads = new client.Counter({ name: 'lsof_exporter_web_config_reloads_total', help: 'Changes of the web config file (or a file it names) applied (success) or rejected, the previous settings kept (failure).', labelNames: ['result'], registers });
  for (const reason of ['evicted', 'refused']) dropped.inc({ reason }, 0);
  for (const result of ['match', 'mismatch']) checks.inc({ result }, 0);
  for (const result of ['success', 'failure']) reloads.inc({ result }, 0);
  return {
    registry,
    connectionDropped: (reason) => dropped.inc({ reason }),
    bcryptChecked: (result) => checks.inc({ result }),
    webConfigReloaded: (result) => reloads.inc({ result }),
  };
}

/** The scrape body with the HTTP families appended, as the runtime metrics are. */
export function withHttpMetrics(exposition: Exposition, metrics: HttpMetrics): Exposition {
  return {
    contentType: exposition.contentType,
    async metrics() {
      return (await exposition.metrics()) + (await metrics.registry.metrics());
    },
  };
}
