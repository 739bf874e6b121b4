/**
 * OpenTelemetry adapter over the catalog: one observable instrument per family, all filled by ONE
 * batch callback that reads the same ExporterView the Prometheus registry reads, so a push and a
 * scrape of the same snapshot carry the same numbers. A PeriodicExportingMetricReader pushes them
 * over OTLP/HTTP (protobuf or JSON).
 *
 * A collector that is down or slow costs at most a bounded HTTP request per interval: the export
 * deadline is clamped to the interval, the exporter retries only within that deadline, and at most
 * two exports are in flight (the SDK rejects more instead of queueing them). Nothing here runs on
 * the scan path: the callback copies numbers computed when the snapshot arrived.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { BatchObservableResult, Observable } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as OTLPJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { ATTR_HOST_NAME, ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions/incubating';
import type { OtlpConfig } from '../config.js';
import { exposedFamilies, type ExposedFamily } from '../metrics/catalog.js';
import type { ExporterView } from '../metrics/exporter-view.js';
import type { Signal } from '../signals/signal.js';
import { VERSION } from '../version.js';
import { toAttributes } from './otel-attributes.js';
import { OutageLog, type OutageLogger } from './otel-outage.js';
import { budgetFor, type SeriesBudget } from './otel-series-budget.js';

export const DEFAULT_SERVICE_NAME = 'lsof-exporter';

/** Exports in flight at once; the SDK fails an export beyond this rather than queueing it. */
const MAX_EXPORTS_IN_FLIGHT = 2;

export interface OtlpPush {
  shutdown: () => Promise<void>;
}

export interface OtlpPushOptions {
  /** --metrics.max-series: the most series a family shows in one snapshot. */
  maxSeries: number;
  /** The enabled signals, whose families are pushed. */
  signals: readonly Signal[];
}

/**
 * Starts pushing. The SDK pipeline (provider, reader, exporter) is rebuilt when the series budget
 * runs out (see otel-series-budget.ts); the outage log and the resource outlive it, so an outage
 * is still logged once and service.instance.id stays the same. To a backend a rebuild looks like a
 * restart: the counters' start time moves.
 */
export function startOtlpPush(view: () => ExporterView, cfg: OtlpConfig, opts: OtlpPushOptions, log: OutageLogger): OtlpPush {
  const outages = new OutageLog(log, cfg.endpoint);
  const resource = otlpResource();
  let stopped = false;
  const families = exposedFamilies(opts.signals);
  const start = (): Pipeline => startPipeline(view, cfg, { resource, outages, families, budget: budgetFor(opts.maxSeries), onExhausted: rebuild });
  const rebuild = () => {
    if (stopped) return;
    const old = current;
    current = start();
    old.retire();
  };
  let current = start();
  return {
    shutdown: () => {
      stopped = true;
      return current.shutdown();
    },
  };
}

/**
 * host.name, service.* defaults, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME on top (the
 * environment wins, as the SDK specification asks).
 */
export function otlpResource(): Resource {
  const ours = resourceFromAttributes({
    [ATTR_HOST_NAME]: os.hostname(),
    [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: VERSION,
    [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
  });
  return defaultResource().merge(ours).merge(detectResources({ detectors: [envDetector] }));
}

interface Pipeline {
  /** Stop observing and shut down in the background (its final export carries nothing). */
  retire: () => void;
  shutdown: () => Promise<void>;
}

interface PipelineParts {
  resource: Resource;
  families: readonly ExposedFamily[];
  outages: OutageLog;
  budget: SeriesBudget;
  onExhausted: () => void;
}

function startPipeline(view: () => ExporterView, cfg: OtlpConfig, parts: PipelineParts): Pipeline {
  const exporter = new SnapshotPushExporter(createExporter(cfg), parts.outages);
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: cfg.intervalMs,
    exportTimeoutMillis: cfg.timeoutMs,
    cardinalityLimits: { default: parts.budget.limit },
  });
  const provider = new MeterProvider({ resource: parts.resource, readers: [reader] });
  let retired = false;
  let rebuildRequested = false;
  registerInstruments(provider, parts.families, (result, instruments) => {
    if (retired) return;
    observeAll(result, view(), parts.families, instruments, parts.budget);
    if (parts.budget.exhausted && !rebuildRequested) {
      rebuildRequested = true;
      // Not from inside the SDK's own collection: after it, on a clean stack.
      setImmediate(parts.onExhausted);
    }
  });
  return {
    retire: () => {
      retired = true;
      provider.shutdown().catch(() => {});
    },
    shutdown: () => provider.shutdown(),
  };
}

function createExporter(cfg: OtlpConfig): PushMetricExporter {
  // Headers (OTEL_EXPORTER_OTLP_[METRICS_]HEADERS) and compression come from the environment, read
  // by the exporter itself.
  const options = { url: cfg.endpoint, timeoutMillis: cfg.timeoutMs, concurrencyLimit: MAX_EXPORTS_IN_FLIGHT };
  return cfg.protocol === 'http/json' ? new OTLPJsonExporter(options) : new OTLPProtoExporter(options);
}

type BatchCallback = (result: BatchObservableResult, instruments: readonly Observable[]) => void;

/**
 * Every family is an ObservableGauge, counters an ObservableCounter: the SDK keeps reporting a
 * cumulative sum's attribute sets after they are gone (a group that exited would show its last count
 * forever); a gauge reports exactly the current snapshot, as /metrics does.
 */
function registerInstruments(provider: MeterProvider, families: readonly ExposedFamily[], callback: BatchCallback): void {
  const meter = provider.getMeter(DEFAULT_SERVICE_NAME, VERSION);
  const instruments = families.map(({ family: def }) => {
    const options = { description: def.help, unit: def.unit };
    return def.type === 'counter' ? meter.createObservableCounter(def.otelName, options) : meter.createObservableGauge(def.otelName, options);
  });
  meter.addBatchObservableCallback((result) => callback(result, instruments), instruments);
}

function observeAll(result: BatchObservableResult, v: ExporterView, families: readonly ExposedFamily[], instruments: readonly Observable[], budget: SeriesBudget): void {
  families.forEach(({ family: def, read }, i) => {
    const instrument = instruments[i]!;
    for (const s of read(v)) {
      budget.note(def.name, JSON.stringify(s.labels));
      result.observe(instrument, s.value, toAttributes(s.labels, def.labels));
    }
  });
}

/**
 * The OTLP exporter as a snapshot needs it:
 *  - gauges are collected with delta temporality: an OTLP Gauge carries no temporality, but under
 *    cumulative the SDK would keep re-sending attribute sets the callback no longer observes;
 *    counters stay cumulative (their attribute sets are fixed);
 *  - each export's outcome goes to the outage log.
 */
class SnapshotPushExporter implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly outages: OutageLog,
  ) {}

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return type === InstrumentType.OBSERVABLE_GAUGE || type === InstrumentType.GAUGE ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  }

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.inner.export(metrics, (result) => {
      this.outages.record(result.code === ExportResultCode.SUCCESS ? { ok: true } : { ok: false, error: errorText(result) });
      done(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

function errorText(result: ExportResult): string {
  const err = result.error as (Error & { code?: string; cause?: { code?: string } }) | undefined;
  if (!err) return 'export failed';
  const code = err.code ?? err.cause?.code;
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}
