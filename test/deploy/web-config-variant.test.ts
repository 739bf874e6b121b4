/**
 * deploy/kubernetes/web-config, run as the cluster would run it (issue 15, item 7): the operator's files
 * made by the shipped make-web-config-files.sh (openssl certificate, htpasswd bcrypt hash), turned into
 * Secrets as its kustomization's secretGenerator says, the exporter's Secret laid out as the kubelet
 * mounts it (0400, ..data symlinks) and the exporter started with the DaemonSet's --web.config.file;
 * then the DaemonSet's probes sent as the kubelet sends them (HTTPS, no credentials, certificate not
 * verified), and a real Prometheus scraping with the ServiceMonitor's endpoint translated into its
 * scrape_config (https, CA and serverName from the scrape Secret, basic auth), beside the same scrape
 * without credentials (401) and with a name the certificate does not carry (refused); last, a renewed
 * Secret swapped in as the kubelet swaps it, taken without a restart. Only the port and the scrape
 * interval differ from the cluster.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error plain ESM script without types
import { SERVER_NAME, VARIANT_DIR } from '../../deploy/kubernetes/generate-web-config.mjs';
import { spawnListeningExporter, stopChild } from '../support/exporter-process.js';
import { kubeletProbe } from '../support/kubelet-probe.js';
import { freePort } from '../support/ports.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus-server.js';
import { generatedSecrets, mountSecretVolume, updateSecretVolume, type GeneratedSecret } from '../support/secret-volume.js';
import { scrapeConfigOf } from '../support/servicemonitor-scrape.js';
import { httpsGet } from '../support/tls.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const manifest = (file: string) => parse(fs.readFileSync(path.join(VARIANT_DIR as string, file), 'utf8')) as Json;
const exporterContainer = () => manifest('daemonset.yaml').spec.template.spec.containers[0];

let tmp: string;
let secrets: Map<string, GeneratedSecret>;
let port: number;
let child: ChildProcess | undefined;
let prometheus: RunningPrometheus | undefined;

/** The operator's steps: the shipped script in a copy of the variant's folder, then its secretGenerator. */
function operatorSecrets(name: string): Map<string, GeneratedSecret> {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(VARIANT_DIR as string, 'kustomization.yaml'), path.join(dir, 'kustomization.yaml'));
  execFileSync('sh', [path.join(ROOT, 'deploy/kubernetes/make-web-config-files.sh'), dir], { env: { ...process.env, LSOF_EXPORTER_TLS_DAYS: '2' }, stdio: 'pipe' });
  return generatedSecrets(dir);
}

/** The DaemonSet's web-config volume (its secret source) and the exporter's mount of it. */
function webConfigVolume(): { mount: Json; volume: Json } {
  const pod = manifest('daemonset.yaml').spec.template.spec;
  const mount = pod.containers[0].volumeMounts.find((m: Json) => m.name === 'web-config');
  return { mount, volume: pod.volumes.find((v: Json) => v.name === mount.name).secret };
}

function secretOfVolume(from: Map<string, GeneratedSecret>): GeneratedSecret {
  const { volume } = webConfigVolume();
  const secret = from.get(volume.secretName);
  if (!secret) throw new Error(`the kustomization generates no Secret ${volume.secretName}`);
  return secret;
}

/** The exporter's Secret mounted where the DaemonSet mounts it; the --web.config.file it passes, mapped there. */
function webConfigFlag(): string {
  const { mount, volume } = webConfigVolume();
  const dir = mountSecretVolume(path.join(tmp, 'volume'), secretOfVolume(secrets).data, volume.defaultMode);
  const exporter = manifest('daemonset.yaml').spec.template.spec.containers[0];
  const flag = exporter.args.find((a: string) => a.startsWith('--web.config.file=')) as string;
  const file = flag.slice('--web.config.file='.length);
  expect(file.startsWith(`${mount.mountPath}/`)).toBe(true);
  return `--web.config.file=${path.join(dir, file.slice(mount.mountPath.length + 1))}`;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-web-config-variant-'));
  secrets = operatorSecrets('kustomize');
  port = await freePort();
  ({ child } = await spawnListeningExporter([`--web.listen-address=127.0.0.1:${port}`, webConfigFlag(), '--scan.interval=1s']));
  await waitFor(async () => (await kubeletProbe(port, { path: '/healthz', scheme: 'HTTPS' })).status === 200, 'a first scan', 100_000);
});

afterAll(async () => {
  await prometheus?.stop();
  if (child) await stopChild(child);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the web-config variant', () => {
  it('mounts only the web config, certificate and key, mode 0400; the password stays in the scrape Secret', () => {
    const volume = manifest('daemonset.yaml').spec.template.spec.volumes.find((v: Json) => v.name === 'web-config').secret;
    expect(Object.keys(secrets.get(volume.secretName)!.data).sort()).toEqual(['tls.crt', 'tls.key', 'web-config.yml']);
    expect(secrets.get(volume.secretName)!.data['web-config.yml']!.toString()).not.toContain(secrets.get('lsof-exporter-scrape')!.data.password!.toString());
    const mode = fs.statSync(path.join(tmp, 'volume', 'tls.key')).mode & 0o777;
    expect(mode).toBe(0o400);
  });

  it('its DaemonSet probes pass as the kubelet sends them: HTTPS, no credentials, certificate not verified', async () => {
    const container = exporterContainer();
    for (const name of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const probe = container[name].httpGet;
      expect(probe.scheme, name).toBe('HTTPS');
      expect(container.ports.find((p: Json) => p.name === probe.port)?.containerPort, name).toBe(10411);
      expect(await kubeletProbe(port, probe), name).toEqual({ status: 200, passes: true });
    }
  });

  it('answers /metrics to the scrape Secret (CA, serverName, user and password), and 401 without credentials', async () => {
    const scrape = secrets.get('lsof-exporter-scrape')!.data;
    const ca = path.join(tmp, 'ca.crt');
    fs.writeFileSync(ca, scrape['ca.crt']!);
    const url = `https://127.0.0.1:${port}/metrics`;
    const ok = await httpsGet(url, { ca, servername: SERVER_NAME, auth: `${scrape.username}:${scrape.password}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^lsof_scans_total\{result="success"\} [1-9]/m);
    for (const p of ['/metrics', '/']) expect((await httpsGet(`https://127.0.0.1:${port}${p}`, { ca, servername: SERVER_NAME })).status, p).toBe(401);
    expect((await kubeletProbe(port, { path: '/metrics', scheme: 'HTTPS' })).status).toBe(401);
  });

  it('a real Prometheus scrapes it as the ServiceMonitor says; without credentials it gets 401, under another name a refused certificate', async () => {
    const [endpoint] = manifest('servicemonitor.yaml').spec.endpoints;
    const dir = path.join(tmp, 'prometheus-secrets');
    fs.mkdirSync(dir);
    const base = { target: `127.0.0.1:${port}`, secrets, dir, meta: { __meta_kubernetes_pod_node_name: 'node-a' }, interval: '1s' };
    const { basicAuth: _, ...anonymous } = endpoint;
    const wrongName = { ...endpoint, tlsConfig: { ...endpoint.tlsConfig, serverName: 'lsof-exporter.other.svc' } };
    prometheus = await startPrometheus({
      targets: [],
      extraScrapeConfigs: [
        scrapeConfigOf(endpoint, { ...base, job: 'servicemonitor' }),
        scrapeConfigOf(anonymous, { ...base, job: 'no-credentials' }),
        scrapeConfigOf(wrongName, { ...base, job: 'wrong-name' }),
      ],
    });
    const url = prometheus.url;
    type Target = { labels: Record<string, string>; health: string; lastError: string };
    const targets = await waitFor(async () => {
      const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: Target[] } };
      const seen = body.data.activeTargets;
      return seen.length === 3 && seen.every((t) => t.health !== 'unknown') ? seen : undefined;
    }, 'three scraped targets', 30_000);
    const byJob = Object.fromEntries(targets.map((t) => [t.labels.job, t]));
    expect(byJob.servicemonitor).toMatchObject({ health: 'up', lastError: '', labels: { instance: 'node-a' } });
    expect(byJob['no-credentials']).toMatchObject({ health: 'down', lastError: expect.stringContaining('401') });
    expect(byJob['wrong-name']).toMatchObject({ health: 'down', lastError: expect.stringMatching(/certificate is valid for lsof-exporter\.lsof-exporter\.svc, not lsof-exporter\.other\.svc/) });
    const scans = await waitFor(async () => {
      const r = await prometheus!.query('lsof_scans_total{job="servicemonitor",result="success"}');
      return r.length === 1 ? r : undefined;
    }, 'scraped samples', 30_000);
    expect(scans[0]!.metric.instance).toBe('node-a');
  }, 120_000);

  it('takes a renewed Secret (the script run again) without a restart, as the kubelet swaps the mounted files', async () => {
    const renewed = operatorSecrets('renewed');
    updateSecretVolume(path.join(tmp, 'volume'), secretOfVolume(renewed).data, webConfigVolume().volume.defaultMode);
    const login = (from: Map<string, GeneratedSecret>) => {
      const scrape = from.get('lsof-exporter-scrape')!.data;
      return `${scrape.username}:${scrape.password}`;
    };
    const ca = path.join(tmp, 'renewed', 'tls.crt');
    const url = `https://127.0.0.1:${port}/metrics`;
    await waitFor(async () => (await httpsGet(url, { ca, servername: SERVER_NAME, auth: login(renewed) })).status === 200, 'the renewed certificate and password', 20_000);
    expect((await httpsGet(url, { ca, servername: SERVER_NAME, auth: login(secrets) })).status).toBe(401);
    expect(child!.exitCode).toBeNull();
  });
});
