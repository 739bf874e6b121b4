/**
 * The PromQL a Grafana dashboard JSON runs, as Grafana would run it: every panel target, every
 * annotation and the selector inside every label_values() variable, with template variables
 * substituted the way Grafana interpolates them for Prometheus.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

export type QueryKind = 'range' | 'instant' | 'annotation' | 'variable';

export interface DashboardQuery {
  dashboard: string;
  /** Panel title, annotation name or variable name. */
  source: string;
  refId: string;
  kind: QueryKind;
  expr: string;
}

interface JsonTarget {
  expr?: string;
  refId?: string;
  instant?: boolean;
}
interface JsonDashboard {
  title: string;
  panels?: { title?: string; targets?: JsonTarget[] }[];
  annotations?: { list?: { name: string; expr?: string }[] };
  templating?: { list?: { name: string; type: string; query?: unknown }[] };
}

export function dashboardQueries(dashboard: JsonDashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of dashboard.panels ?? []) {
    for (const t of panel.targets ?? []) {
      if (t.expr === undefined) continue;
      out.push({ dashboard: dashboard.title, source: panel.title ?? '', refId: t.refId ?? '', kind: t.instant ? 'instant' : 'range', expr: t.expr });
    }
  }
  for (const a of dashboard.annotations?.list ?? []) {
    if (a.expr !== undefined) out.push({ dashboard: dashboard.title, source: a.name, refId: '', kind: 'annotation', expr: a.expr });
  }
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== 'query' || typeof v.query !== 'string') continue;
    const m = /^label_values\((.*),\s*\w+\)$/.exec(v.query);
    if (!m) throw new Error(`variable ${v.name}: not a label_values(selector, label) query: ${v.query}`);
    out.push({ dashboard: dashboard.title, source: v.name, refId: '', kind: 'variable', expr: m[1]! });
  }
  return out;
}

/** Grafana's regex escaping of a variable value inside `=~"..."` (multi-value and "All" variables). */
export function grafanaRegexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&');
}

/**
 * Replaces `$name` and `${name}` for every name in `values`; a `$name` left over (not `$1`, which
 * label_replace owns) is an error, so a variable the test does not know cannot slip through.
 */
export function substituteVariables(expr: string, values: Record<string, string>): string {
  const out = expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    return values[name] ?? whole;
  });
  const left = /\$\{?([A-Za-z_]\w*)/.exec(out);
  if (left) throw new Error(`no value for $${left[1]} in ${expr}`);
  return out;
}

/** Positions of the parse errors of a PromQL expression (empty: it parses). */
export function promqlErrors(expr: string): number[] {
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(n.from);
    },
  });
  return errors;
}

export interface Selector {
  metric: string;
  matchers: Record<string, { op: string; value: string }>;
}

/** Every vector selector of an expression: its metric name and its label matchers. */
export function vectorSelectors(expr: string): Selector[] {
  const out: Selector[] = [];
  const text = (n: SyntaxNode | null) => (n ? expr.slice(n.from, n.to) : '');
  parser.parse(expr).iterate({
    enter: (ref) => {
      if (ref.type.name !== 'VectorSelector') return;
      const node = ref.node;
      const matchers: Selector['matchers'] = {};
      for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        matchers[text(m.getChild('LabelName'))] = { op: text(m.getChild('MatchOp')), value: JSON.parse(text(m.getChild('StringLiteral'))) as string };
      }
      out.push({ metric: text(node.getChild('Identifier')), matchers });
    },
  });
  return out;
}
