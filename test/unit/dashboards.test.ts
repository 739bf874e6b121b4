import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DASHBOARDS, renderDashboard } from '../../dashboards/src/catalog.js';
import { CONFIGMAP_FILE, renderConfigMap } from '../../dashboards/src/configmap.js';
import { POD_NAMES } from '../../alerts/src/kube-pod-names.js';
import { dashboardQueries, promqlErrors, substituteVariables, vectorSelectors } from '../support/dashboard-queries.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const committed = DASHBOARDS.map(({ file, build }) => ({
  file,
  text: fs.readFileSync(`${ROOT}dashboards/${file}`, 'utf8'),
  generated: renderDashboard(build()),
}));
const dashboards = committed.map(({ text }) => JSON.parse(text) as Record<string, unknown> & { title: string });
const queries = dashboards.flatMap((d) => dashboardQueries(d));

/** Values a viewer's Grafana would put in: a two-host selection, a 6h range. */
const SAMPLE_VALUES = {
  datasource: 'prometheus',
  job: 'lsof',
  instance: 'host-a:10411|host-b:10411',
  container_id: '.*',
  lookback: '7d',
  __range: '21600s',
  __interval: '30s',
  __rate_interval: '1m',
};

const METRICS_DOC = fs.readFileSync(`${ROOT}docs/metrics.md`, 'utf8');

/** Families documented in docs/metrics.md (### headings), what Prometheus itself provides, and kube-state-metrics' pod names. */
const DOCUMENTED = new Set([
  ...[...METRICS_DOC.matchAll(/^### (lsof_\w+)$/gm)].map((m) => m[1]!),
  'up',
  'scrape_duration_seconds',
  'ALERTS',
  ...(METRICS_DOC.includes(POD_NAMES) ? ['kube_pod_info'] : []),
]);

describe('dashboards', () => {
  it.each(committed)('$file matches its typed source (update with npm run dashboards:generate)', ({ text, generated }) => {
    expect(text).toBe(generated);
  });

  it(`${CONFIGMAP_FILE} matches its typed source (update with npm run dashboards:generate)`, () => {
    expect(fs.readFileSync(`${ROOT}${CONFIGMAP_FILE}`, 'utf8')).toBe(renderConfigMap());
  });

  it('carries every dashboard, unchanged, in the sidecar ConfigMap', () => {
    const configMap = parseYaml(fs.readFileSync(`${ROOT}${CONFIGMAP_FILE}`, 'utf8')) as {
      kind: string;
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(configMap.kind).toBe('ConfigMap');
    expect(configMap.metadata.labels).toEqual({ grafana_dashboard: '1' });
    expect(configMap.data).toEqual(Object.fromEntries(committed.map((c) => [c.file, c.text])));
  });

  it('has three dashboards with stable, distinct uids', () => {
    expect(dashboards.map((d) => d.uid)).toEqual(['lsof-listeners', 'lsof-descriptors', 'lsof-exporter-health']);
  });

  it('finds queries in every dashboard', () => {
    for (const d of dashboards) expect(queries.filter((q) => q.dashboard === d.title).length).toBeGreaterThan(3);
  });

  it.each(queries)('$dashboard / $source $refId ($kind) parses as PromQL', ({ expr }) => {
    const substituted = substituteVariables(expr, SAMPLE_VALUES);
    expect(promqlErrors(substituted), substituted).toEqual([]);
    expect(vectorSelectors(substituted).length).toBeGreaterThan(0);
  });

  it('uses only metric names documented in docs/metrics.md or provided by Prometheus', () => {
    const used = new Set(queries.flatMap((q) => vectorSelectors(substituteVariables(q.expr, SAMPLE_VALUES)).map((s) => s.metric)));
    expect([...used].filter((name) => !DOCUMENTED.has(name))).toEqual([]);
    // The contract is covered beyond the lsof_ families: these come from Prometheus.
    expect(used).toContain('ALERTS');
  });

  it('filters every selector by the job and instance variables', () => {
    for (const q of queries) {
      for (const s of vectorSelectors(q.expr)) {
        if (q.kind === 'variable' && s.metric === 'lsof_exporter_build_info') continue; // the job/instance lists themselves
        if (s.metric === 'kube_pod_info') continue; // kube-state-metrics' own job: joined on pod_uid, checked below
        expect(s.matchers.job, `${q.source}: ${s.metric}`).toEqual({ op: '=~', value: '$job' });
        expect(s.matchers.instance, `${q.source}: ${s.metric}`).toEqual({ op: '=~', value: '$instance' });
      }
    }
  });

  it('reads kube_pod_info only through the pod-name join, and names the pods in the current listeners table', () => {
    const joined = queries.filter((q) => q.expr.includes('kube_pod_info'));
    for (const q of joined) expect(q.expr.split('kube_pod_info').length - 1, q.source).toBe(q.expr.split(POD_NAMES).length - 1);
    expect(joined.map((q) => `${q.source} ${q.refId}`)).toEqual(expect.arrayContaining([expect.stringMatching(/Current listeners A$/), expect.stringMatching(/Current listeners B$/)]));
  });

  it('reads every query from the datasource variable and offers job and instance', () => {
    for (const d of dashboards) {
      const text = JSON.stringify(d);
      const uids = [...text.matchAll(/"uid":"([^"]*)"/g)].map((m) => m[1]).filter((uid) => uid !== d.uid);
      expect(new Set(uids)).toEqual(new Set(['${datasource}']));
      const variables = (d.templating as { list: { name: string; type: string; query?: unknown }[] }).list;
      expect(variables.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      expect(variables.map((v) => v.name)).toEqual(expect.arrayContaining(['job', 'instance']));
      expect(d).toMatchObject({ refresh: '30s', time: { from: 'now-6h', to: 'now' } });
    }
  });

  it('links only runbooks that exist, of alerts that exist, the way the alerts link them', () => {
    const rules = parseYaml(fs.readFileSync(`${ROOT}alerts/lsof-exporter.rules.yml`, 'utf8')) as {
      groups: { rules: { alert?: string; annotations?: { runbook_url?: string } }[] }[];
    };
    const alertLinks = new Set(rules.groups.flatMap((g) => g.rules.map((r) => r.annotations?.runbook_url)).filter(Boolean));
    const headings = new Set([...fs.readFileSync(`${ROOT}docs/runbooks.md`, 'utf8').matchAll(/^## (\w+)$/gm)].map((m) => `#${m[1]!.toLowerCase()}`));
    const panelLinks = dashboards.flatMap((d) => (d.panels as { links: { url: string }[] }[]).flatMap((p) => p.links.map((l) => l.url)));
    expect(panelLinks.length).toBeGreaterThan(5);
    for (const url of panelLinks) {
      expect(alertLinks, url).toContain(url);
      expect(headings, url).toContain(url.slice(url.indexOf('#')));
    }
  });

  it('describes what healthy looks like on every panel, and links runbooks by alert-name anchors', () => {
    for (const d of dashboards) {
      for (const p of d.panels as { title: string; description: string; links: { url: string }[] }[]) {
        expect(p.description, p.title).toMatch(/\n\nHealthy: \S/);
        for (const link of p.links) {
          expect(link.url).toMatch(/\/docs\/runbooks\.md#lsof[a-z]+$/);
          expect(p.description).toContain(link.url);
        }
      }
    }
  });
});
