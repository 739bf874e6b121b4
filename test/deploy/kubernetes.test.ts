/**
 * deploy/kubernetes and its kube-rbac-proxy variant: every manifest validates against the Kubernetes
 * and Prometheus-Operator schemas (kubernetes-models, @kubernetes-models/prometheus-operator) and,
 * strictly, has no field their interfaces do not declare (a typo must fail, not be dropped); the
 * DaemonSet keeps the privilege and mount promises the README makes; the NetworkPolicy admits only the
 * scraper; the variant serves only through kube-rbac-proxy and is what its generator makes;
 * prometheusrule.yaml is exactly what the generator makes from alerts/ (and what promtool accepts).
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
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
// @ts-expect-error plain ESM script without types
import { OUTPUT, renderPrometheusRule } from '../../deploy/kubernetes/generate-prometheusrule.mjs';
// @ts-expect-error plain ESM script without types
import { renderVariant, VARIANT_DIR } from '../../deploy/kubernetes/generate-kube-rbac-proxy.mjs';
// @ts-expect-error plain ESM script without types
import * as webConfig from '../../deploy/kubernetes/generate-web-config.mjs';
import { strictErrors } from '../support/strict-manifests.js';

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
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

function manifests(dir = DIR): { file: string; doc: Doc }[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') && n !== 'kustomization.yaml')
    .flatMap((file) => parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => ({ file: path.relative(DIR, path.join(dir, file)), doc: d.toJS() as Doc })));
}

const WEB_CONFIG_DIR = webConfig.VARIANT_DIR as string;
const everyManifest = () => [...manifests(), ...manifests(VARIANT_DIR), ...manifests(WEB_CONFIG_DIR)];

function validate(doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
}

const byKind = (kind: string) => manifests().find((m) => m.doc.kind === kind)!.doc;

describe('Kubernetes manifests', () => {
  it.each(everyManifest().map((m) => [m.file, m.doc.kind, m.doc] as const))('%s (%s) validates against its schema', (_f, _k, doc) => {
    expect(() => validate(doc)).not.toThrow();
    if (!doc.kind.startsWith('Cluster')) expect(doc.metadata.namespace ?? doc.metadata.name).toBe('lsof-exporter');
  });

  it('every manifest has only the fields its API declares', () => {
    expect(strictErrors(everyManifest())).toEqual([]);
  });

  it('the strict check fails a DaemonSet with the typo hostPid: true, and one with readOnlyRootFS', () => {
    const typos: [string, (pod: Json) => void, RegExp][] = [
      ['hostPid', (pod) => (pod.hostPid = true), /'"?hostPid"?' does not exist in type 'IPodSpec'/],
      ['readOnlyRootFS', (pod) => (pod.containers[0].securityContext.readOnlyRootFS = true), /'"?readOnlyRootFS"?' does not exist in type 'ISecurityContext'/],
    ];
    const broken = typos.map(([name, typo]) => {
      const ds = structuredClone(byKind('DaemonSet')) as Json;
      typo(ds.spec.template.spec);
      expect(() => validate(ds)).not.toThrow(); // what the schemas alone let through
      return { file: `daemonset.yaml with ${name}`, doc: ds };
    });
    const errors = strictErrors(broken); // one tsc run for both
    expect(errors).toHaveLength(2);
    typos.forEach(([name, , message], i) => expect(errors[i], name).toMatch(new RegExp(`^daemonset\\.yaml with ${name} \\(DaemonSet\\): .*${message.source}`)));
  });

  it.each([DIR, VARIANT_DIR, WEB_CONFIG_DIR])('kustomization.yaml lists every manifest of %s', (dir) => {
    const k = parseAllDocuments(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    expect([...k.resources].sort()).toEqual([...new Set(manifests(dir).map((m) => path.basename(m.file)))].sort());
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
    // every mount read-only; of the host only /proc and the one file read from /etc; the flags point at them
    for (const m of c.volumeMounts) expect(m.readOnly, m.name).toBe(true);
    const mountOf = (name: string) => c.volumeMounts.find((m: { name: string }) => m.name === name).mountPath;
    const hostPaths = Object.fromEntries(pod.volumes.map((v: Json) => [v.name, v.hostPath]));
    expect(hostPaths).toEqual({ proc: { path: '/proc', type: 'Directory' }, passwd: { path: '/etc/passwd', type: 'File' } });
    expect(c.args).toContain(`--path.procfs=${mountOf('proc')}`);
    expect(`${c.args.find((a: string) => a.startsWith('--path.rootfs=')).split('=')[1]}/etc/passwd`).toBe(mountOf('passwd'));
    expect(pod.priorityClassName).toBe('system-cluster-critical');
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

describe('NetworkPolicy', () => {
  it('admits only Prometheus pods of the monitoring namespace, to the metrics port of the exporter pods', () => {
    const np = byKind('NetworkPolicy') as Json;
    const pod = (byKind('DaemonSet') as Json).spec.template;
    expect(pod.metadata.labels).toMatchObject(np.spec.podSelector.matchLabels);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toHaveLength(1);
    const [rule] = np.spec.ingress;
    expect(rule.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }]);
    expect(rule.ports).toEqual([{ port: pod.spec.containers[0].ports[0].name, protocol: 'TCP' }]);
  });
});

describe.each([
  ['kube-rbac-proxy', VARIANT_DIR as string, renderVariant, []],
  ['web-config', WEB_CONFIG_DIR, webConfig.renderVariant, webConfig.OPERATOR_FILES],
] as [string, string, () => Record<string, string>, string[]][])('the %s variant', (name, dir, render, operatorFiles) => {
  it(`is what generate-${name}.mjs makes from the base (run it after editing deploy/kubernetes)`, () => {
    const rendered = render();
    // the operator's own (git-ignored) secret files may sit beside the generated ones
    expect(fs.readdirSync(dir).filter((f) => !operatorFiles.includes(f)).sort()).toEqual(Object.keys(rendered).sort());
    for (const [file, content] of Object.entries(rendered)) expect(fs.readFileSync(path.join(dir, file), 'utf8'), file).toBe(content);
  });
});

describe('the kube-rbac-proxy variant', () => {
  const variant = (kind: string) => manifests(VARIANT_DIR).find((m) => m.doc.kind === kind)!.doc as Json;

  it('serves the exporter only through the proxy: loopback listen, no exporter port, TLS on the pod port', () => {
    const pod = variant('DaemonSet').spec.template.spec;
    const [exporter, proxy] = pod.containers;
    const listen = exporter.args.find((a: string) => a.startsWith('--web.listen-address=')).split('=')[1];
    expect(listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(exporter.ports).toBeUndefined();
    expect(proxy.args).toContain(`--upstream=http://${listen}/`);
    expect(proxy.args).toContain('--ignore-paths=/healthz');
    expect(proxy.ports).toEqual([{ name: 'https', containerPort: 10411, protocol: 'TCP' }]);
    expect(proxy.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(exporter.livenessProbe.exec.command).toEqual(['/nodejs/bin/node', '/app/healthcheck.mjs']);
    expect(exporter.env).toEqual([{ name: 'LSOF_EXPORTER_HEALTHCHECK_URL', value: `http://${listen}/healthz` }]);
    expect(proxy.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('gives an API token to the proxy only', () => {
    const pod = variant('DaemonSet').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const [exporter, proxy] = pod.containers;
    expect(exporter.volumeMounts.map((m: Json) => m.name)).not.toContain('kube-api-access');
    expect(proxy.volumeMounts).toEqual([{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);
    const rules = variant('ClusterRole').rules.map((r: Json) => `${r.resources[0]}:${r.verbs.join(',')}`);
    expect(rules).toEqual(['tokenreviews:create', 'subjectaccessreviews:create']);
    expect(variant('ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'lsof-exporter', namespace: 'lsof-exporter' }]);
  });

  it('points the Service, the ServiceMonitor and the NetworkPolicy at the proxy port, scraped over HTTPS with a token', () => {
    expect(variant('Service').spec.ports[0].targetPort).toBe('https');
    expect(variant('NetworkPolicy').spec.ingress[0].ports).toEqual([{ port: 'https', protocol: 'TCP' }]);
    expect(variant('ServiceMonitor').spec.endpoints[0]).toMatchObject({ port: 'https', scheme: 'https', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
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

describe('the web-config variant', () => {
  const variant = (kind: string) => manifests(WEB_CONFIG_DIR).find((m) => m.doc.kind === kind)!.doc as Json;
  const kustomization = () => parseAllDocuments(fs.readFileSync(path.join(WEB_CONFIG_DIR, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as Json;
  /** secretGenerator name -> key -> the operator's file it is read from. */
  const generated = (): Record<string, Record<string, string>> =>
    Object.fromEntries(
      kustomization().secretGenerator.map((g: Json) => {
        expect(g.namespace, g.name).toBe('lsof-exporter');
        return [g.name, Object.fromEntries(g.files.map((f: string) => (f.includes('=') ? f.split('=') : [f, f])))];
      }),
    );

  it('mounts a generated Secret read-only, 0400 for its uid 0, and passes its web config file', () => {
    const pod = variant('DaemonSet').spec.template.spec;
    const [exporter] = pod.containers;
    expect(pod.containers).toHaveLength(1);
    expect(pod.securityContext.runAsUser).toBe(0); // owner of the Secret's files, the only one 0400 lets read
    const mount = exporter.volumeMounts.find((m: Json) => m.name === 'web-config');
    expect(mount.readOnly).toBe(true);
    const volume = pod.volumes.find((v: Json) => v.name === 'web-config');
    expect(volume.secret.defaultMode).toBe(0o400);
    const keys = generated()[volume.secret.secretName];
    expect(keys).toEqual({ 'web-config.yml': 'web-config.yml', 'tls.crt': 'tls.crt', 'tls.key': 'tls.key' });
    expect(exporter.args).toContain(`--web.config.file=${mount.mountPath}/web-config.yml`);
    expect(exporter.args).toContain('--web.listen-address=:10411');
    expect(kustomization().generatorOptions).toEqual({ disableNameSuffixHash: true }); // the ServiceMonitor's references are not rewritten
  });

  it('probes /healthz over HTTPS on the TLS port, without credentials', () => {
    const exporter = variant('DaemonSet').spec.template.spec.containers[0];
    expect(exporter.ports).toEqual([{ name: 'https', containerPort: 10411, protocol: 'TCP' }]);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(exporter[probe].httpGet, probe).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
  });

  it('the ServiceMonitor verifies the certificate under its name and logs in, from a Secret of its namespace the pod never mounts', () => {
    const sm = variant('ServiceMonitor');
    const [endpoint] = sm.spec.endpoints;
    expect(endpoint).toMatchObject({ port: 'https', scheme: 'https', tlsConfig: { serverName: webConfig.SERVER_NAME } });
    expect(endpoint.tlsConfig.insecureSkipVerify).toBeUndefined();
    const refs = [endpoint.tlsConfig.ca.secret, endpoint.basicAuth.username, endpoint.basicAuth.password];
    const scrapeSecret = refs[0].name;
    for (const ref of refs) expect(ref.name).toBe(scrapeSecret);
    expect(generated()[scrapeSecret]).toEqual({ username: 'username', password: 'password', 'ca.crt': 'tls.crt' }); // self-signed: its own CA
    expect(refs.map((r) => r.key)).toEqual(['ca.crt', 'username', 'password']);
    expect(sm.metadata.namespace).toBe('lsof-exporter');
    expect(variant('DaemonSet').spec.template.spec.volumes.map((v: Json) => v.secret?.secretName)).not.toContain(scrapeSecret);
    // the certificate make-web-config-files.sh makes carries that name
    expect(fs.readFileSync(path.join(DIR, 'make-web-config-files.sh'), 'utf8')).toContain(`server_name=${webConfig.SERVER_NAME} `);
  });

  it('the Service and the NetworkPolicy follow the TLS port; the operator files are git-ignored', () => {
    expect(variant('Service').spec.ports).toEqual([{ name: 'https', port: 10411, targetPort: 'https', protocol: 'TCP' }]);
    expect(variant('NetworkPolicy').spec.ingress[0].ports).toEqual([{ port: 'https', protocol: 'TCP' }]);
    const read = Object.values(generated()).flatMap((keys) => Object.values(keys));
    expect([...new Set(read)].sort()).toEqual([...webConfig.OPERATOR_FILES].sort());
    const ignored = fs.readFileSync(path.join(WEB_CONFIG_DIR, '.gitignore'), 'utf8').split('\n').filter((l) => l.startsWith('/'));
    expect(ignored.map((l) => l.slice(1)).sort()).toEqual([...webConfig.OPERATOR_FILES].sort());
  });
});
