/** The shapes of a Prometheus rule file, and the one way alerts get their runbook link. */
export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' | 'info' } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

/** Named level:metric:operations (https://prometheus.io/docs/practices/rules/). */
export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup {
  name: string;
  /** Evaluation interval of this group; absent: the global evaluation_interval. */
  interval?: string;
  rules: (AlertingRule | RecordingRule)[];
}

export function isAlertingRule(rule: AlertingRule | RecordingRule): rule is AlertingRule {
  return 'alert' in rule;
}

export interface AlertSpec {
  alert: string;
  expr: string;
  for: string;
  severity: AlertingRule['labels']['severity'];
  summary: string;
  description: string;
}

/** Anchors follow GitHub's heading slugs: "## LsofNewListener" -> #lsofnewlistener. */
export function runbookAnchor(alertName: string): string {
  return alertName.toLowerCase();
}

export function alertingRule(spec: AlertSpec, runbookUrl: string): AlertingRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    // Prometheus treats a missing `for` as 0s; leaving it out keeps the file free of noise.
    ...(spec.for === '0s' ? {} : { for: spec.for }),
    labels: { severity: spec.severity },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: `${runbookUrl}#${runbookAnchor(spec.alert)}`,
    },
  };
}
