/**
 * Firing alerts as annotations: Prometheus keeps the state of every alert in the ALERTS series, so the
 * alerts of alerts/ show on every time axis without an Alertmanager or Grafana alerting.
 */
import { AnnotationQueryBuilder, type AnnotationQuery } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import { select } from './promql.js';
import { DATASOURCE } from './variables.js';

/** The Prometheus data source's own annotation fields, which the generic schema type leaves out. */
interface PrometheusAnnotationQuery extends AnnotationQuery {
  step: string;
  titleFormat: string;
  textFormat: string;
  tagKeys: string;
  useValueForTime: boolean;
}

export const FIRING_ALERTS_EXPR = select('ALERTS', 'alertstate="firing"', 'alertname=~"Lsof.+"');

export function firingAlertsAnnotation(): Builder<AnnotationQuery> {
  const base = new AnnotationQueryBuilder()
    .name('Firing lsof alerts')
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor('red')
    .expr(FIRING_ALERTS_EXPR);
  return {
    build: (): PrometheusAnnotationQuery => ({
      ...base.build(),
      step: '60s',
      titleFormat: '{{alertname}}',
      textFormat: '{{instance}} {{listener}} {{user}} {{process}}',
      tagKeys: 'alertname,severity',
      useValueForTime: false,
    }),
  };
}
