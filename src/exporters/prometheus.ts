/**
 * prom-client adapter over the exposed families (the enabled signals' and the exporter's own): one
 * metric per family whose collect() copies the samples of the current view. collect() never throws (a throwing collect fails the whole scrape in
 * prom-client); it only reads data already computed when the snapshot arrived.
 */
import client from 'prom-client';
import { EXPORTER_FAMILIES, exposedFamilies, signalFamilies, type ExposedFamily } from '../metrics/catalog.js';
import type { ExporterView } from '../metrics/exporter-view.js';
import { fullName, labelNames, type Family } from '../signals/family.js';
import type { Signal } from '../signals/signal.js';
import { compressHead, gzipWithHead, type CompressedHead } from './gzip-head.js';

const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface PrometheusOptions {
  /** The enabled signals, whose families are exposed. */
  signals: readonly Signal[];
  groupBy: readonly string[];
  /** prom-client's process_* and nodejs_* metrics about the exporter itself. */
  runtimeMetrics: boolean;
}

/** What a scrape renders: the signals' families of the current model, then the per-scrape rest. */
export interface Exposition {
  readonly contentType: string;
  /** The body as text (a scrape without gzip, the textfile). */
  metrics(): Promise<string>;
  /** The same body gzipped, its head (the signals' families) compressed once per model. */
  gzipped(): Promise<Buffer>;
  /** This exposition with `more` (rendered per call, e.g. the HTTP server's families) appended. */
  followedBy(more: () => Promise<string>): Exposition;
}

/** The part of the body rendered once per model, and its deflate data, compressed once when first asked for. */
interface Head {
  readonly text: string;
  compressed(): Promise<CompressedHead>;
}

/**
 * The /metrics body: the signals' families change only when a new model arrives (a scan, or a poll
 * that attributed a listener), so their text is rendered once per model and reused by every scrape
 * until the next one; so is its gzip compression (gzip-head.ts). The exporter's own lsof_* families
 * (scan and poll counters, a few series) are rendered once per view, which every listener poll
 * replaces, and prom-client's process_* and nodejs_* metrics per scrape. Rendering 2,000 series per
 * scrape (or per poll) was the main thread's largest allocation, and that allocation is what grows
 * V8's young generation (tens of MiB of RSS) and lengthens scrape latency while a scan hands over
 * its snapshot.
 */
export function createExposition(view: () => ExporterView, opts: PrometheusOptions): Exposition & { prerender(): void } {
  const signals = familyRegistry(view, signalFamilies(opts.signals), opts.groupBy);
  const fromModel = renderedOncePer(() => view().model, signals);
  const fromView = renderedOncePer(view, familyRegistry(view, EXPORTER_FAMILIES, opts.groupBy));
  const runtime = opts.runtimeMetrics ? runtimeRegistry() : undefined;
  const head = oncePer(fromModel, (text): Head => ({ text, compressed: memoized(() => compressHead(text)) }));
  const tail = async () => {
    const rest = [await fromView(), runtime ? await runtime.metrics() : ''].filter((p) => p !== '').join('\n');
    // As prom-client separates its metrics: a blank line between families.
    return rest !== '' && (await head()).text !== '' ? `\n${rest}` : rest;
  };
  return {
    ...splitExposition(signals.contentType, head, tail),
    /**
     * Renders and compresses the signals' families of a model that just arrived, so that the first
     * scrape after a scan (Prometheus scrapes at the scan interval: nearly every scrape) finds them ready.
     */
    prerender() {
      void head().then((h) => h.compressed());
    },
  };
}

function splitExposition(contentType: string, head: () => Promise<Head>, tail: () => Promise<string>): Exposition {
  return {
    contentType,
    async metrics() {
      return (await head()).text + (await tail());
    },
    async gzipped() {
      const h = await head();
      return gzipWithHead(await h.compressed(), await tail());
    },
    followedBy(more) {
      return splitExposition(contentType, head, async () => (await tail()) + (await more()));
    },
  };
}

/** A registry's text, rendered again only when `key()` returns another object. */
function renderedOncePer(key: () => unknown, registry: client.Registry): () => Promise<string> {
  let renderedFor: unknown = {};
  let rendered: Promise<string> = Promise.resolve('');
  return () => {
    const k = key();
    if (k !== renderedFor) {
      renderedFor = k;
      // collect() copied every sample into prom-client's own maps (a second copy of the model, label
      // strings included): freed once rendered, since the next render collects afresh.
      rendered = registry.metrics().finally(() => registry.resetMetrics());
    }
    return rendered;
  };
}

/** `derive` of what `source` returns, computed again only when `source` returns another promise. */
function oncePer<T, U>(source: () => Promise<T>, derive: (value: T) => U): () => Promise<U> {
  let from: Promise<T> | undefined;
  let derived: Promise<U> = Promise.resolve(undefined as U);
  return () => {
    const current = source();
    if (current !== from) {
      from = current;
      derived = current.then(derive);
    }
    return derived;
  };
}

function memoized<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= compute());
}

function runtimeRegistry(): client.Registry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  // Gauges that prom-client names *_total, which `promtool check metrics` rejects.
  for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  return registry;
}

/** What prom-client needs of a declared family: its full name, help and label names. */
export function promConfig(def: Family, groupBy: readonly string[], registry: client.Registry) {
  return { name: fullName(def), help: def.help, labelNames: labelNames(def, groupBy), registers: [registry] };
}

export function createRegistry(view: () => ExporterView, opts: PrometheusOptions): client.Registry {
  const registry = familyRegistry(view, exposedFamilies(opts.signals), opts.groupBy);
  return opts.runtimeMetrics ? client.Registry.merge([registry, runtimeRegistry()]) : registry;
}

/** One prom-client metric per family, whose collect() copies the family's samples from the current view. */
function familyRegistry(view: () => ExporterView, families: readonly ExposedFamily[], groupBy: readonly string[]): client.Registry {
  const registry = new client.Registry();
  for (const { family: def, read } of families) {
    const config = promConfig(def, groupBy, registry);
    if (def.type === 'counter') {
      new client.Counter({
        ...config,
        collect() {
          this.reset();
          for (const s of read(view())) this.inc(s.labels, s.value);
        },
      });
    } else {
      new client.Gauge({
        ...config,
        collect() {
          this.reset();
          for (const s of read(view())) this.set(s.labels, s.value);
        },
      });
    }
  }
  return registry;
}
