/**
 * Links from panels to the runbooks (docs/runbooks.md), one anchor per alert: the same link the alert
 * rules carry in their `runbook_url` annotation, from the same place (alerts/src: the `runbookUrl`
 * tunable and the anchor rule), so the two cannot drift apart.
 */
import { DashboardLinkBuilder, DashboardLinkType } from '@grafana/grafana-foundation-sdk/dashboard';
import { runbookAnchor } from '../../alerts/src/rule.js';
import { DEFAULT_TUNABLES } from '../../alerts/src/tunables.js';

export function runbookUrl(alertName: string): string {
  return `${DEFAULT_TUNABLES.runbookUrl}#${runbookAnchor(alertName)}`;
}

/** A panel link (the panel's header menu) to the runbook of an alert. */
export function runbookLink(alertName: string): DashboardLinkBuilder {
  return new DashboardLinkBuilder(`Runbook: ${alertName}`)
    .type(DashboardLinkType.Link)
    .url(runbookUrl(alertName))
    .targetBlank(true);
}

/**
 * A panel description: what the panel shows, what a healthy value looks like, and the runbooks of
 * the alerts that watch it (Grafana renders the description as Markdown).
 */
export function describe(what: string, healthy: string, alertNames: readonly string[] = []): string {
  const runbooks = alertNames.map((name) => `[${name}](${runbookUrl(name)})`);
  return [what, `Healthy: ${healthy}`, ...(runbooks.length > 0 ? [`Runbook: ${runbooks.join(', ')}`] : [])].join('\n\n');
}
