#!/usr/bin/env node
// Generates deploy/kubernetes/web-config/ from the manifests beside this script: the same exporter
// serving its own TLS and basic auth from a web config file (--web.config.file, README "TLS and basic
// auth") kept in a Secret. The operator makes five files in that folder with
// make-web-config-files.sh (a certificate and key for the name SERVER_NAME, a user and password, and
// web-config.yml with the password's bcrypt hash); the kustomization's secretGenerator turns them into
// two Secrets: the exporter's (web-config.yml, tls.crt, tls.key; mounted read-only, 0400, for uid 0)
// and Prometheus's (username, password, and the certificate as ca.crt, which the ServiceMonitor
// references from its own namespace, as Prometheus Operator requires). Prometheus verifies the
// certificate against that CA under SERVER_NAME (a pod IP changes, the name in the certificate does
// not). The kubelet's probes ask /healthz over HTTPS: it answers without credentials, and the kubelet
// does not verify a probe's certificate. Run after editing the base manifests:
//   node deploy/kubernetes/generate-web-config.mjs
// test/deploy/kubernetes.test.ts fails when the committed files differ from what this renders.
import path from 'node:path';
import { BASE, httpsNetworkPolicy, httpsService, readBase, renderFolder, writeWhenRun } from './variant.mjs';

export const VARIANT_DIR = path.join(BASE, 'web-config');
export const SERVER_NAME = 'lsof-exporter.lsof-exporter.svc';
const SECRET = 'lsof-exporter-web-config';
const SCRAPE_SECRET = 'lsof-exporter-scrape';
const MOUNT = '/etc/lsof-exporter/web-config';
/** What make-web-config-files.sh writes; none of it is ever committed. */
export const OPERATOR_FILES = ['tls.crt', 'tls.key', 'web-config.yml', 'username', 'password'];

function daemonSet() {
  const ds = readBase('daemonset.yaml');
  const pod = ds.spec.template.spec;
  const exporter = pod.containers[0];
  exporter.args.push(`--web.config.file=${MOUNT}/web-config.yml`);
  exporter.ports = exporter.ports.map((p) => ({ ...p, name: 'https' }));
  for (const name of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    exporter[name].httpGet = { ...exporter[name].httpGet, port: 'https', scheme: 'HTTPS' };
  }
  exporter.volumeMounts.push({ name: 'web-config', mountPath: MOUNT, readOnly: true });
  // 0400: the exporter runs as uid 0 (daemonset.yaml says why), the owner of the Secret's files
  pod.volumes.push({ name: 'web-config', secret: { secretName: SECRET, defaultMode: 0o400 } });
  return ds;
}

function serviceMonitor() {
  const sm = readBase('servicemonitor.yaml');
  const [endpoint] = sm.spec.endpoints;
  const fromScrapeSecret = (key) => ({ name: SCRAPE_SECRET, key });
  sm.spec.endpoints = [
    {
      ...endpoint,
      port: 'https',
      scheme: 'https',
      tlsConfig: { ca: { secret: fromScrapeSecret('ca.crt') }, serverName: SERVER_NAME },
      basicAuth: { username: fromScrapeSecret('username'), password: fromScrapeSecret('password') },
    },
  ];
  return sm;
}

// Names without a hash suffix: kustomize would not rewrite the ServiceMonitor's references, and the
// exporter reloads a changed web config and certificate by itself (no rollout needed).
const secretGenerator = {
  generatorOptions: { disableNameSuffixHash: true },
  secretGenerator: [
    { name: SECRET, namespace: 'lsof-exporter', files: ['web-config.yml', 'tls.crt', 'tls.key'] },
    { name: SCRAPE_SECRET, namespace: 'lsof-exporter', files: ['username', 'password', 'ca.crt=tls.crt'] },
  ],
};

/** file name -> content of deploy/kubernetes/web-config/. */
export function renderVariant() {
  const docs = {
    'daemonset.yaml': daemonSet(),
    'service.yaml': httpsService(),
    'networkpolicy.yaml': httpsNetworkPolicy(),
    'servicemonitor.yaml': serviceMonitor(),
  };
  const usage = [
    '# sh deploy/kubernetes/make-web-config-files.sh   # once: certificate, key, password, web-config.yml (README "Kubernetes")',
    '# kubectl apply -k deploy/kubernetes/web-config && kubectl apply -f deploy/kubernetes/prometheusrule.yaml',
    '',
  ].join('\n');
  const out = renderFolder('generate-web-config.mjs', docs, { usage, extra: secretGenerator });
  out['.gitignore'] = `# the operator's secrets (make-web-config-files.sh): never committed\n${OPERATOR_FILES.map((f) => `/${f}\n`).join('')}`;
  return out;
}

writeWhenRun(import.meta.url, VARIANT_DIR, renderVariant);
