/**
 * What the outputs expose: the families of the enabled signals (read from the model) followed by the
 * exporter's own. docs/metrics.md documents the same list; test/unit/metrics-doc.test.ts fails when
 * the two disagree.
 */
import type { Family, Sample } from '../signals/family.js';
import type { Signal } from '../signals/signal.js';
import type { ExporterView } from './exporter-view.js';
import { EXPORTER_FAMILIES } from './exporter-families.js';

export interface ExposedFamily {
  family: Family;
  read: (v: ExporterView) => Sample[];
}

export function exposedFamilies(signals: readonly Signal[]): ExposedFamily[] {
  return [...signalFamilies(signals), ...EXPORTER_FAMILIES];
}

/** The enabled signals' families: they change only with the model (a scan, or a poll's attribution). */
export function signalFamilies(signals: readonly Signal[]): ExposedFamily[] {
  return signals.flatMap((s) => Object.values(s.families)).map((family) => ({ family, read: (v: ExporterView) => v.model?.samples[family.name] ?? [] }));
}

export { EXPORTER_FAMILIES };
