/**
 * Prometheus labels -> OpenTelemetry attributes, by the label definitions (src/signals/labels.ts):
 * each label carries its attribute name, so the mapping is declared once, next to the label.
 * docs/metrics.md "OTLP attributes and resource" lists the same table.
 */
import type { Attributes } from '@opentelemetry/api';
import { LABELS_BY_NAME } from '../signals/labels.js';

/** The attribute a label becomes; a label without a definition falls into the lsof.* namespace. */
export function attributeName(label: string): string {
  return LABELS_BY_NAME.get(label)?.otel ?? `lsof.${label}`;
}

/**
 * The attributes of one sample. An empty label value means "not known" or "not applicable" (no
 * container, host network namespace), which OpenTelemetry expresses by leaving the attribute out.
 */
export function toAttributes(labels: Record<string, string>): Attributes {
  const attrs: Attributes = {};
  for (const [label, value] of Object.entries(labels)) {
    if (value === '') continue;
    const def = LABELS_BY_NAME.get(label);
    attrs[attributeName(label)] = def?.int && /^\d+$/.test(value) ? Number(value) : value;
  }
  return attrs;
}
