/**
 * The HTTP side's own families: connections held and dropped, bcrypt checks, web config reloads,
 * declared with family() like every other. They live here, not in the scan catalog
 * (src/metrics/catalog.ts), because they describe the endpoint, not a scan: they change per request,
 * are not pushed over OTLP (their OTLP names only complete the declaration), and are appended to the
 * /metrics body the way the runtime metrics are (withHttpMetrics). docs/metrics.md "The HTTP
 * endpoint" lists them.
 */
import client from 'prom-client';
import { promConfig, type Exposition } from '../exporters/prometheus.js';
import { family, fullName, type Family } from '../signals/family.js';
import { L, type LabelDef } from '../signals/labels.js';
import type { DropReason } from './connection-guard.js';

/**
 * Why the connection cap closed a connection (evicted, refused). Not in labels.ts: these families are
 * never pushed over OTLP, and `reason` there already maps to attributes by family.
 */
const DROP_REASON: LabelDef<'reason'> = Object.freeze({ name: 'reason', otel: 'lsof.http.drop.reason' });

/** Declared once, like the signals' families; only the instruments below read them. */
const HTTP = {
  connections: family('exporter_http_connections', {
    type: 'gauge',
    help: 'HTTP connections the exporter holds open now.',
    otelName: 'lsof.exporter.http.connections',
    unit: '{connection}',
  }),
  connectionsMax: family('exporter_http_connections_max', {
    type: 'gauge',
    help: 'Most HTTP connections held at once (--web.max-connections, lowered to fit the descriptor limit).',
    otelName: 'lsof.exporter.http.connections.max',
    unit: '{connection}',
  }),
  dropped: family('exporter_http_connections_dropped_total', {
    type: 'counter',
    help: 'HTTP connections closed by the connection cap: evicted (oldest connection not being answered) or refused (every connection busy).',
    labels: [DROP_REASON],
    otelName: 'lsof.exporter.http.connections.dropped',
    unit: '{connection}',
  }),
  bcryptChecks: family('exporter_http_bcrypt_checks_total', {
    type: 'counter',
    help: 'bcrypt comparisons run for basic auth (cached answers are not counted), by result.',
    labels: [L.result],
    otelName: 'lsof.exporter.http.bcrypt.checks',
    unit: '{check}',
  }),
  bcryptQueue: family('exporter_http_bcrypt_queue', {
    type: 'gauge',
    help: 'Basic-auth checks waiting for or running bcrypt.',
    otelName: 'lsof.exporter.http.bcrypt.queue',
    unit: '{check}',
  }),
  reloads: family('exporter_web_config_reloads_total', {
    type: 'counter',
    help: 'Changes of the web config file (or a file it names) applied (success) or rejected, the previous settings kept (failure).',
    labels: [L.result],
    otelName: 'lsof.exporter.web_config.reloads',
    unit: '{reload}',
  }),
} as const;

/** The families below, which /metrics serves and the textfile (written by no HTTP server) does not. */
export const HTTP_FAMILIES: readonly string[] = Object.values(HTTP).map(fullName);

export interface HttpMetrics {
  registry: client.Registry;
  connectionDropped: (reason: DropReason) => void;
  bcryptChecked: (result: 'match' | 'mismatch') => void;
  webConfigReloaded: (result: 'success' | 'failure') => void;
}

/** A gauge read when scraped. */
function sampledGauge(def: Family, registry: client.Registry, read: () => number): void {
  new client.Gauge({
    ...promConfig(def, [], registry),
    collect() {
      this.set(read());
    },
  });
}

/** A counter by one label, every value of it present from the start (at 0), so rate() works at once. */
function counterOf<V extends string>(def: Family, registry: client.Registry, label: string, values: readonly V[]): (value: V) => void {
  const counter = new client.Counter(promConfig(def, [], registry));
  for (const value of values) counter.inc({ [label]: value }, 0);
  return (value) => counter.inc({ [label]: value });
}

export function createHttpMetrics(sources: { openConnections: () => number; maxConnections: number; bcryptQueued: () => number }): HttpMetrics {
  const registry = new client.Registry();
  sampledGauge(HTTP.connections, registry, sources.openConnections);
  sampledGauge(HTTP.connectionsMax, registry, () => sources.maxConnections);
  sampledGauge(HTTP.bcryptQueue, registry, sources.bcryptQueued);
  return {
    registry,
    connectionDropped: counterOf(HTTP.dropped, registry, DROP_REASON.name, ['evicted', 'refused']),
    bcryptChecked: counterOf(HTTP.bcryptChecks, registry, L.result.name, ['match', 'mismatch']),
    webConfigReloaded: counterOf(HTTP.reloads, registry, L.result.name, ['success', 'failure']),
  };
}

/** The scrape body with the HTTP families appended, as the runtime metrics are. */
export function withHttpMetrics(exposition: Exposition, metrics: HttpMetrics): Exposition {
  return exposition.followedBy(() => metrics.registry.metrics());
}
