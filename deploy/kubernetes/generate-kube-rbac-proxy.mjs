#!/usr/bin/env node
// Generates deploy/kubernetes/kube-rbac-proxy/ from the manifests beside this script: the same
// exporter behind a kube-rbac-proxy sidecar, the pattern kube-prometheus uses for node-exporter. The
// exporter listens on the pod's loopback only (127.0.0.1:10412); kube-rbac-proxy serves TLS on the
// pod IP (port 10411, named https), authenticates each scraper's bearer token with a TokenReview and
// authorizes it with a SubjectAccessReview (GET on the non-resource URL /metrics); /healthz passes
// without authentication so the kubelet's readiness probe works (liveness asks the exporter on loopback
// with the image's healthcheck script). Only the proxy gets an API token, through a
// projected volume; the exporter still has none. Run after editing the base manifests:
//   node deploy/kubernetes/generate-kube-rbac-proxy.mjs
// test/deploy/kubernetes.test.ts fails when the committed files differ from what this renders.
import path from 'node:path';
import { BASE, httpsNetworkPolicy, httpsService, readBase, renderFolder, writeWhenRun } from './variant.mjs';

export const VARIANT_DIR = path.join(BASE, 'kube-rbac-proxy');
export const PROXY_IMAGE = 'quay.io/brancz/kube-rbac-proxy:v0.18.2';
const UPSTREAM_PORT = 10412;
const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const labels = { 'app.kubernetes.io/name': 'lsof-exporter', 'app.kubernetes.io/component': 'exporter' };

function daemonSet() {
  const ds = readBase('daemonset.yaml');
  const pod = ds.spec.template.spec;
  const exporter = pod.containers[0];
  exporter.args = exporter.args.map((a) => (a.startsWith('--web.listen-address=') ? `--web.listen-address=127.0.0.1:${UPSTREAM_PORT}` : a));
  delete exporter.ports;
  // The exporter's own health is asked on loopback by the image's healthcheck script (an exec probe
  // restarts the right container); readiness goes through the proxy, the way Prometheus comes in.
  const healthcheck = { exec: { command: ['/nodejs/bin/node', '/app/healthcheck.mjs'] } };
  exporter.env = [{ name: 'LSOF_EXPORTER_HEALTHCHECK_URL', value: `http://127.0.0.1:${UPSTREAM_PORT}/healthz` }];
  for (const name of ['startupProbe', 'livenessProbe']) {
    const { httpGet: _, ...timing } = exporter[name];
    exporter[name] = { ...healthcheck, timeoutSeconds: 5, ...timing }; // node needs more than the 1 s default to start
  }
  const { httpGet: _, ...readiness } = exporter.readinessProbe;
  delete exporter.readinessProbe;
  const proxy = {
    name: 'kube-rbac-proxy',
    image: PROXY_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    args: [
      '--secure-listen-address=0.0.0.0:10411',
      `--upstream=http://127.0.0.1:${UPSTREAM_PORT}/`,
      '--ignore-paths=/healthz',
      '--tls-min-version=VersionTLS12',
      '--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
    ],
    ports: [{ name: 'https', containerPort: 10411, protocol: 'TCP' }],
    securityContext: {
      runAsUser: 65532,
      runAsGroup: 65532,
      runAsNonRoot: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    resources: { requests: { cpu: '10m', memory: '20Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    livenessProbe: { tcpSocket: { port: 'https' }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
    readinessProbe: { ...readiness, httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' } },
    volumeMounts: [{ name: 'kube-api-access', mountPath: TOKEN_DIR, readOnly: true }],
  };
  pod.containers = [exporter, proxy];
  pod.volumes.push({
    name: 'kube-api-access',
    projected: {
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  });
  return ds;
}

function serviceMonitor() {
  const sm = readBase('servicemonitor.yaml');
  const [endpoint] = sm.spec.endpoints;
  // As kube-prometheus scrapes node-exporter: Prometheus's own token; kube-rbac-proxy's certificate is
  // self-signed unless given one (--tls-cert-file), hence no verification by default.
  sm.spec.endpoints = [{ ...endpoint, port: 'https', scheme: 'https', bearerTokenFile: `${TOKEN_DIR}/token`, tlsConfig: { insecureSkipVerify: true } }];
  return sm;
}

const clusterRole = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'lsof-exporter-kube-rbac-proxy', labels },
  rules: [
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  ],
};

const clusterRoleBinding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'lsof-exporter-kube-rbac-proxy', labels },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'lsof-exporter-kube-rbac-proxy' },
  subjects: [{ kind: 'ServiceAccount', name: 'lsof-exporter', namespace: 'lsof-exporter' }],
};

/** file name -> content of deploy/kubernetes/kube-rbac-proxy/. */
export function renderVariant() {
  const docs = {
    'clusterrole.yaml': clusterRole,
    'clusterrolebinding.yaml': clusterRoleBinding,
    'daemonset.yaml': daemonSet(),
    'service.yaml': httpsService(),
    'networkpolicy.yaml': httpsNetworkPolicy(),
    'servicemonitor.yaml': serviceMonitor(),
  };
  const usage = '# kubectl apply -k deploy/kubernetes/kube-rbac-proxy && kubectl apply -f deploy/kubernetes/prometheusrule.yaml\n';
  return renderFolder('generate-kube-rbac-proxy.mjs', docs, { usage });
}

writeWhenRun(import.meta.url, VARIANT_DIR, renderVariant);
