/**
 * deploy/kubernetes: every manifest validates against the Kubernetes and Prometheus-Operator schemas
 * (kubernetes-models, @kubernetes-models/prometheus-operator), the DaemonSet keeps the privilege and
 * mount promises the README makes, and prometheusrule.yaml is exactly what the generator makes from
 * alerts/ (and what promtool accepts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
// @ts-expect-error plain ESM script without types
import { OUTPUT, renderPrometheusRule } from '../../deploy/kubernetes/generate-prometheusrule.mjs';

const DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

// parsed YAML, walked by path in assertions
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;
const MODELS: Record<string, new (data: Json) => { validate: () => void }> = {
  'apps/v1/DaemonSet': DaemonSet,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

function manifests(): { file: string; doc: Doc }[] {
  return fs
    .readdirSync(DIR)
    .filter((n) => n.endsWith('.yaml') && n !== 'kustomization.yaml')
    .flatMap((file) => parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((d) => ({ file, doc: d.toJS() as Doc })));
}

function validate(doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
}

const byKind = (kind: string) => manifests().find((m) => m.doc.kind === kind)!.doc;

describe('Kubernetes manifests', () => {
  it.each(manifests().map((m) => [m.file, m.doc.kind, m.doc] as const))('%s (%s) validates against its schema', (_f, _k, doc) => {
    expect(() => validate(doc)).not.toThrow();
    expect(doc.metadata.namespace ?? doc.metadata.name).toBe('lsof-exporter');
  });

  it('schema validation rejects a broken manifest (so the check above can fail)', () => {
    const ds = structuredClone(byKind('DaemonSet')) as Json;
    ds.spec.template.spec.containers[0].ports[0].containerPort = 'ten-four-one-one';
    expect(() => validate(ds)).toThrow(/containerPort/);
    const sm = structuredClone(byKind('ServiceMonitor')) as Json;
    sm.spec.endpoints[0].relabelings[0].action = 'rewrite';
    expect(() => validate(sm)).toThrow();
  });

  it('kustomization.yaml lists every manifest', () => {
    const k = parseAllDocuments(fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    expect([...k.resources].sort()).toEqual([...new Set(manifests().map((m) => m.file))].sort());
  });

  it('the DaemonSet sees the host through read-only mounts, with two capabilities and nothing else', () => {
    const pod = (byKind('DaemonSet') as Json).spec.template.spec;
    const c = pod.containers[0];
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
    expect(c.securityContext).toMatchObject({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['SYS_PTRACE', 'DAC_READ_SEARCH'] },
    });
    // every mount read-only, and --path.procfs / --path.rootfs point at them
    for (const m of c.volumeMounts) expect(m.readOnly, m.name).toBe(true);
    const mountOf = (name: string) => c.volumeMounts.find((m: { name: string }) => m.name === name).mountPath;
    const hostPathOf = (name: string) => pod.volumes.find((v: { name: string }) => v.name === name).hostPath.path;
    expect(hostPathOf('proc')).toBe('/proc');
    expect(c.args).toContain(`--path.procfs=${mountOf('proc')}`);
    expect(`${c.args.find((a: string) => a.startsWith('--path.rootfs=')).split('=')[1]}/etc`).toBe(mountOf('etc'));
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(c[probe].httpGet, probe).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.ports[0]).toMatchObject({ name: 'metrics', containerPort: 10411 });
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
  });

  it('the Service and ServiceMonitor select the DaemonSet pods and name instances by node', () => {
    const labels = (byKind('DaemonSet') as Json).spec.template.metadata.labels;
    const svc = byKind('Service') as Json;
    const sm = byKind('ServiceMonitor') as Json;
    expect(labels).toMatchObject(svc.spec.selector);
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.spec.endpoints[0].port).toBe(svc.spec.ports[0].name);
    expect(sm.spec.endpoints[0].relabelings).toContainEqual(expect.objectContaining({ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }));
  });
});

describe('PrometheusRule', () => {
  it('is what generate-prometheusrule.mjs makes from alerts/ (run npm run generate:k8s after changing alerts/)', () => {
    expect(fs.readFileSync(OUTPUT, 'utf8')).toBe(renderPrometheusRule());
  });

  it('carries every rule group of the alerts in a form promtool accepts', () => {
    const rule = byKind('PrometheusRule') as Json;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-prule-'));
    try {
      const file = path.join(tmp, 'rules.yml');
      fs.writeFileSync(file, stringify({ groups: rule.spec.groups }));
      const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the generator turns rule files into groups and ignores alerts/tests', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-alerts-'));
    try {
      fs.mkdirSync(path.join(tmp, 'tests'));
      fs.writeFileSync(path.join(tmp, 'tests', 't.yml'), 'rule_files: [x]\ntests: []\n');
      fs.writeFileSync(path.join(tmp, 'b.rules.yaml'), 'groups:\n  - name: b\n    rules:\n      - alert: B\n        expr: up == 0\n');
      fs.writeFileSync(path.join(tmp, 'a.rules.yml'), 'groups:\n  - name: a\n    rules:\n      - record: a:up\n        expr: up\n');
      const doc = parseAllDocuments(renderPrometheusRule(tmp))[0]!.toJS() as Json;
      expect(doc.spec.groups.map((g: { name: string }) => g.name)).toEqual(['a', 'b']);
      expect(() => validate(doc)).not.toThrow();
      fs.writeFileSync(path.join(tmp, 'c.rules.yml'), 'groups:\n  - name: a\n    rules: []\n');
      expect(() => renderPrometheusRule(tmp)).toThrow(/"a" appears twice/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
