/**
 * What the three dashboards share: tags and links between them, refresh and time range, the data
 * source and host variables, and the firing-alerts annotation.
 */
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { firingAlertsAnnotation } from './annotations.js';
import { datasourceVariable, hostVariables } from './variables.js';

export const TAG = 'lsof-exporter';

/**
 * Grafana 10.0's schema version: Grafana 10 and 11 load it and migrate it up. The panels use nothing
 * newer than Grafana 10.
 */
export const SCHEMA_VERSION = 38;

export function baseDashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .link(
      new DashboardLinkBuilder('lsof-exporter dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .variables([datasourceVariable(), ...hostVariables()])
    .annotation(firingAlertsAnnotation());
}

/** The built dashboard with panel ids in layout order, so links to a panel (viewPanel=N) stay valid. */
export function finish(builder: DashboardBuilder): Dashboard {
  const built = builder.build();
  const panels = (built.panels ?? []).map((panel, i) => ({ ...panel, id: i + 1 }));
  return { ...built, panels, schemaVersion: SCHEMA_VERSION };
}
