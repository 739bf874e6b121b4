/**
 * prom-client adapter over the catalog: one metric per family whose collect() copies the samples
 * of the current view. collect() never throws (a throwing collect fails the whole scrape in
 * prom-client); it only reads data already computed when the snapshot arrived.
 */
import client from 'prom-client';
import { FAMILIES, fullName, labelNames } from '../metrics/catalog.js';
import type { ExporterView } from '../metrics/exporter-view.js';

const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface PrometheusOptions {
  groupBy: readonly string[];
  /** prom-client's process_* and nodejs_* metrics about the exporter itself. */
  runtimeMetrics: boolean;
}

export function createRegistry(view: () => ExporterView, opts: PrometheusOptions): client.Registry {
  const registry = new client.Registry();
  for (const def of FAMILIES) {
    const config = {
      name: fullName(def),
      help: def.help,
      labelNames: labelNames(def, opts.groupBy),
      registers: [registry],
    };
    if (def.type === 'counter') {
      new client.Counter({
        ...config,
        collect() {
          this.reset();
          for (const s of def.read(view())) this.inc(s.labels, s.value);
        },
      });
    } else {
      new client.Gauge({
        ...config,
        collect() {
          this.reset();
          for (const s of def.read(view())) this.set(s.labels, s.value);
        },
      });
    }
  }
  if (opts.runtimeMetrics) {
    client.collectDefaultMetrics({ register: registry });
    // Gauges that prom-client names *_total, which `promtool check metrics` rejects.
    for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  }
  return registry;
}
