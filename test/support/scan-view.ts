/**
 * A scan as the exporter serves it, for tests: context -> model (every signal, or those named) ->
 * ExporterView -> exposition, with the options the exporter's defaults use.
 */
import { createRegistry } from '../../src/exporters/prometheus.js';
import { EMPTY_VIEW, type ExporterView } from '../../src/metrics/exporter-view.js';
import { buildModel, type Model, type ModelOptions } from '../../src/model/model.js';
import type { ScanContext } from '../../src/scan/context.js';
import { SIGNALS } from '../../src/signals/index.js';
import type { Signal } from '../../src/signals/signal.js';

export const TEST_MODEL_OPTIONS: ModelOptions = { groupBy: ['user', 'process'], maxSeries: 2000, deletedTop: 10, watchedRemotePorts: [6667, 6697] };

export function modelOf(context: ScanContext, opts: Partial<ModelOptions> = {}, signals: readonly Signal[] = SIGNALS): Model {
  return buildModel(context, signals, { ...TEST_MODEL_OPTIONS, ...opts });
}

export function viewOf(context: ScanContext, model: Model, lastSuccessMs = 1_700_000_000_000): ExporterView {
  return { ...EMPTY_VIEW, stats: context.stats, model, scansSucceeded: 1, lastSuccessMs };
}

export interface ExposeOptions {
  model?: Partial<ModelOptions>;
  signals?: readonly Signal[];
  runtimeMetrics?: boolean;
  lastSuccessMs?: number;
}

/** The /metrics text of one scan context. */
export function exposition(context: ScanContext, opts: ExposeOptions = {}): Promise<string> {
  const signals = opts.signals ?? SIGNALS;
  const model = modelOf(context, opts.model, signals);
  const view = viewOf(context, model, opts.lastSuccessMs);
  const groupBy = opts.model?.groupBy ?? TEST_MODEL_OPTIONS.groupBy;
  return createRegistry(() => view, { signals, groupBy, runtimeMetrics: opts.runtimeMetrics ?? false }).metrics();
}
