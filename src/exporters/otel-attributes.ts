/**
 * Prometheus labels -> OpenTelemetry attributes, by the label definitions (src/signals/labels.ts):
 * each label carries its attribute name, so the mapping is declared once, next to the label.
 * docs/metrics.md "OTLP attributes and resource" lists the same table.
 */
import type { Attributes } from '@opentelemetry/api';
import { LABELS_BY_NAME, type LabelDef } from '../signals/labels.js';

/**
 * A label's definition: the family's own first (two families may give one name two meanings: the
 * `reason` a scan skipped a process for, the `reason` a process is suspicious), then the first by name.
 */
function labelDef(label: string, familyLabels: readonly LabelDef[]): LabelDef | undefined {
  return familyLabels.find((d) => d.name === label) ?? LABELS_BY_NAME.get(label);
}

/** The attribute a label becomes; a label without a definition falls into the lsof.* namespace. */
export function attributeName(label: string, familyLabels: readonly LabelDef[] = []): string {
  return labelDef(label, familyLabels)?.otel ?? `lsof.${label}`;
}

/**
 * The attributes of one sample. An empty label value means "not known" or "not applicable" (no
 * container, host network namespace), which OpenTelemetry expresses by leaving the attribute out.
 */
export function toAttributes(labels: Record<string, string>, familyLabels: readonly LabelDef[] = []): Attributes {
  const attrs: Attributes = {};
  for (const [label, value] of Object.entries(labels)) {
    if (value === '') continue;
    const def = labelDef(label, familyLabels);
    attrs[attributeName(label, familyLabels)] = def?.int && /^\d+$/.test(value) ? Number(value) : value;
  }
  return attrs;
}
