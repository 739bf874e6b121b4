/**
 * A metric family, declared once in the module that derives it: name (without the lsof_ prefix),
 * type, help, unit, labels and OTLP name. The Prometheus registry, the OTLP push, the textfile, the
 * metrics-doc check and the series caps all read these declarations; no other file names a family.
 */
import type { GroupLabel, LabelDef } from './labels.js';

export const NAMESPACE = 'lsof' as const;

export interface Family<L extends string = string, N extends string = string> {
  /** Without the lsof_ prefix; a literal type, so alerts and dashboards name families checked. */
  readonly name: N;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  /** The labels besides the --group.by ones. */
  readonly labels: readonly LabelDef<L>[];
  /** Led by the --group.by labels (user, process, ...), chosen at run time. */
  readonly grouped: boolean;
  /** Name when pushed over OTLP (semantic conventions where they exist, lsof.* otherwise). */
  readonly otelName: string;
  /** UCUM unit for OTLP ("1", "By", "s", "{process}"). */
  readonly unit: string;
  /**
   * Exempt from --metrics.max-series: only for families bounded by something no user controls
   * (one series per account), which must stay whole when a flood fills the capped ones.
   */
  readonly uncapped?: boolean;
}

type GroupValues = Partial<Record<GroupLabel, string>>;

/** One sample of family F: every declared label must be present, or it does not compile. */
export interface TypedSample<L extends string> {
  labels: Record<L, string> & GroupValues;
  value: number;
}

/** What every output consumes, once the label types have done their work. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type LabelOf<F> = F extends Family<infer L> ? L : never;

interface FamilySpec<L extends string> {
  type: 'gauge' | 'counter';
  help: string;
  labels?: readonly LabelDef<L>[];
  grouped?: boolean;
  otelName: string;
  unit: string;
  uncapped?: boolean;
}

export function family<const N extends string, const L extends string = never>(name: N, spec: FamilySpec<L>): Family<L, N> {
  return Object.freeze({ name, labels: [], grouped: false, ...spec });
}

export function fullName(f: Pick<Family, 'name'>): string {
  return `${NAMESPACE}_${f.name}`;
}

/** The concrete label names of a family for the configured grouping. */
export function labelNames(f: Family, groupBy: readonly string[]): string[] {
  return [...(f.grouped ? groupBy : []), ...f.labels.map((l) => l.name)];
}

/** The label record of one sample of family F (for SampleGroups and helpers). */
export type LabelsOf<F> = TypedSample<LabelOf<F>>['labels'];
