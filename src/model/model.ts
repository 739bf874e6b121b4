/**
 * Scan context -> the samples of every enabled signal, capped, with each signal's health. Computed
 * once per scan in the worker (not per scrape) and shared by every output, so Prometheus, OTLP and
 * the textfile report the same numbers. Label values leave it with control characters escaped
 * (label-escape.ts). A signal that throws is reported (success 0) and its
 * families are left empty; the others are served.
 */
import type { ScanContext } from '../scan/context.js';
import type { Sample } from '../signals/family.js';
import type { DeriveOptions, Signal } from '../signals/signal.js';
import { escapeLabelValues } from './label-escape.js';
import { capSamples } from './series-cap.js';

export interface ModelOptions extends DeriveOptions {
  /** Series cap per family. */
  maxSeries: number;
}

export interface SignalHealth {
  success: boolean;
  durationSeconds: number;
  /** Why it failed (for the log), "" when it did not. */
  error: string;
}

export interface Model {
  /** Samples by family name (without the lsof_ prefix), for the enabled signals' families. */
  samples: Record<string, Sample[]>;
  /** Series the cap left out, by family name. */
  dropped: Record<string, number>;
  /** By signal (collector) name. */
  health: Record<string, SignalHealth>;
}

export function buildModel(ctx: ScanContext, signals: readonly Signal[], opts: ModelOptions): Model {
  const model: Model = { samples: {}, dropped: {}, health: {} };
  for (const signal of signals) {
    const t0 = performance.now();
    let derived: Record<string, Sample[]> | undefined;
    let error = '';
    try {
      derived = signal.derive(ctx, opts);
    } catch (err) {
      error = (err as Error).message;
    }
    for (const [key, fam] of Object.entries(signal.families)) {
      const samples = derived?.[key] ?? [];
      const { kept, dropped } = fam.uncapped ? { kept: samples, dropped: 0 } : capSamples(samples, opts.maxSeries);
      model.samples[fam.name] = kept.map((s) => ({ labels: escapeLabelValues(s.labels), value: s.value }));
      model.dropped[fam.name] = dropped;
    }
    model.health[signal.name] = { success: derived !== undefined, durationSeconds: (performance.now() - t0) / 1000, error };
  }
  return model;
}
