/**
 * Panel and query builders with the dashboards' common settings: every query reads the `datasource`
 * variable, every panel has a description saying what healthy looks like, and may link runbooks.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { describe, runbookLink } from './runbook.js';
import { DATASOURCE } from './variables.js';

/** What every panel states: its title, what it shows, what healthy looks like, the alerts on it. */
export interface PanelText {
  title: string;
  what: string;
  healthy: string;
  alerts?: readonly string[];
}

/** A range query drawn over time, one series per legend entry. */
export function rangeQuery(expr: string, legend: string, refId = 'A'): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(refId).expr(expr).legendFormat(legend).range();
}

/** An instant query at the end of the range, as table rows (one column per label). */
export function instantTableQuery(expr: string, refId = 'A'): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(refId)
    .expr(expr)
    .format(prometheus.PromQueryFormat.Table)
    .instant();
}

/** An instant query at the end of the range, one value per legend entry (stat and bar gauge). */
export function instantQuery(expr: string, legend: string, refId = 'A'): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(refId).expr(expr).legendFormat(legend).instant();
}

interface TextedPanel {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: typeof DATASOURCE): this;
  links(links: ReturnType<typeof runbookLink>[]): this;
}

function withText<P extends TextedPanel>(panel: P, text: PanelText): P {
  const alerts = text.alerts ?? [];
  return panel
    .title(text.title)
    .description(describe(text.what, text.healthy, alerts))
    .datasource(DATASOURCE)
    .links(alerts.map(runbookLink));
}

/** Green below `warn`, orange from `warn`, red from `critical`; red from `warn` if there is no `critical`. */
export function thresholds(warn: number, critical?: number): ThresholdsConfigBuilder {
  const steps = critical === undefined ? [{ value: warn, color: 'red' }] : [{ value: warn, color: 'orange' }, { value: critical, color: 'red' }];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'green' }, ...steps]);
}

export function timeseriesPanel(text: PanelText, unit: string, ...queries: prometheus.DataqueryBuilder[]): timeseries.PanelBuilder {
  return withText(new timeseries.PanelBuilder(), text)
    .targets(queries)
    .unit(unit)
    .min(0)
    .height(8)
    .span(12)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

/** Stacked areas: parts of a whole (descriptors by type, scan phases). */
export function stackedPanel(text: PanelText, unit: string, ...queries: prometheus.DataqueryBuilder[]): timeseries.PanelBuilder {
  return timeseriesPanel(text, unit, ...queries)
    .fillOpacity(40)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
}

export function tablePanel(text: PanelText, ...queries: prometheus.DataqueryBuilder[]): table.PanelBuilder {
  return withText(new table.PanelBuilder(), text)
    .targets(queries)
    .height(10)
    .span(24)
    .filterable(true)
    .cellHeight(common.TableCellHeight.Sm);
}

/** Horizontal bars of an instant top-k. */
export function barsPanel(text: PanelText, unit: string, query: prometheus.DataqueryBuilder): bargauge.PanelBuilder {
  return withText(new bargauge.PanelBuilder(), text)
    .withTarget(query)
    .unit(unit)
    .min(0)
    .height(10)
    .span(12)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

export function statPanel(text: PanelText, unit: string, query: prometheus.DataqueryBuilder): stat.PanelBuilder {
  return withText(new stat.PanelBuilder(), text)
    .withTarget(query)
    .unit(unit)
    .height(5)
    .span(6)
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** Organize transformation: hide, rename and order the columns of a table. */
export function organizeColumns(columns: { show: readonly (readonly [string, string])[]; hide: readonly string[] }) {
  return {
    id: 'organize',
    options: {
      excludeByName: Object.fromEntries(columns.hide.map((name) => [name, true])),
      renameByName: Object.fromEntries(columns.show),
      indexByName: Object.fromEntries(columns.show.map(([name], i) => [name, i])),
    },
  };
}
