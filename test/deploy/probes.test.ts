/**
 * The shipped probes, as they are written, against an exporter with basic auth on (issue 15, item 6):
 * the Kubernetes startup/liveness/readiness probes of deploy/kubernetes/daemonset.yaml sent as the
 * kubelet sends them (GET, its User-Agent, no credentials, 200-399 is success), the Docker HEALTHCHECK
 * command of deploy/docker/Dockerfile, over plain HTTP and over TLS, and the exec probe of the
 * kube-rbac-proxy variant. Only the port differs (a free one instead of 10411).
 */
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spawnListeningExporter, stopChild } from '../support/exporter-process.js';
import { kubeletProbe } from '../support/kubelet-probe.js';
import { freePort } from '../support/ports.js';
import { makePki, type TestPki } from '../support/tls.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let pki: TestPki;
const children: ChildProcess[] = [];

beforeAll(() => {
  pki = makePki();
});

afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c)));
  fs.rmSync(pki.dir, { recursive: true, force: true });
});

/** An exporter with basic auth (and TLS when asked), once its first scan made /healthz ok. */
async function exporterWithAuth(tls: boolean, port?: number): Promise<number> {
  const p = port ?? (await freePort());
  const file = path.join(pki.dir, `web-${p}.yml`);
  const tlsBlock = tls ? 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n' : '';
  fs.writeFileSync(file, `${tlsBlock}basic_auth_users:\n  prometheus: "${bcrypt.hashSync('secret', 4)}"\n`);
  const { child } = await spawnListeningExporter([`--web.listen-address=127.0.0.1:${p}`, `--web.config.file=${file}`, '--scan.interval=1s']);
  children.push(child);
  return p;
}

/** The exec-form command of the Dockerfile's HEALTHCHECK, with the image's paths mapped to the checkout. */
function dockerHealthcheck(): string[] {
  const line = fs.readFileSync(path.join(ROOT, 'deploy/docker/Dockerfile'), 'utf8').split('\n').find((l) => l.startsWith('HEALTHCHECK '))!;
  return JSON.parse(/ CMD (\[.*\])$/.exec(line)![1]!) as string[];
}

function runInImage(command: string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const mapped = command.map((a) => (a === '/nodejs/bin/node' ? process.execPath : a === '/app/healthcheck.mjs' ? path.join(ROOT, 'deploy/docker/healthcheck.mjs') : a));
  const r = spawnSync(mapped[0]!, mapped.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stderr: r.stderr };
}

const waitHealthy = (port: number) => waitFor(async () => (await kubeletProbe(port, { path: '/healthz' })).status === 200, 'a first scan', 100_000);

describe('with basic auth on', () => {
  let port: number;
  beforeAll(async () => {
    port = await exporterWithAuth(false);
    await waitHealthy(port);
  });

  it('the DaemonSet probes pass, as the kubelet sends them', async () => {
    const ds = parse(fs.readFileSync(path.join(ROOT, 'deploy/kubernetes/daemonset.yaml'), 'utf8')) as Json;
    const container = ds.spec.template.spec.containers[0];
    for (const name of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const probe = container[name].httpGet;
      expect(probe.scheme ?? 'HTTP', name).toBe('HTTP');
      expect(container.ports.find((p: Json) => p.name === probe.port)?.containerPort, name).toBe(10411);
      expect(await kubeletProbe(port, probe), name).toEqual({ status: 200, passes: true });
    }
  });

  it('while everything else still asks for credentials', async () => {
    for (const p of ['/metrics', '/']) expect((await kubeletProbe(port, { path: p })).status, p).toBe(401);
  });

  it('the Docker HEALTHCHECK command exits 0', () => {
    const r = runInImage(dockerHealthcheck(), { LSOF_EXPORTER_HEALTHCHECK_URL: `http://127.0.0.1:${port}/healthz` });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('with TLS and basic auth on', () => {
  it('the Docker HEALTHCHECK command exits 0 over https', async () => {
    const port = await exporterWithAuth(true);
    await waitFor(() => runInImage(dockerHealthcheck(), { LSOF_EXPORTER_HEALTHCHECK_URL: `https://127.0.0.1:${port}/healthz` }).status === 0, 'the healthcheck to pass', 100_000, 500);
  }, 150_000);
});

describe('the kube-rbac-proxy variant', () => {
  it('its exec probe of the exporter exits 0 against the loopback address it names', async () => {
    const ds = parse(fs.readFileSync(path.join(ROOT, 'deploy/kubernetes/kube-rbac-proxy/daemonset.yaml'), 'utf8')) as Json;
    const exporter = ds.spec.template.spec.containers[0];
    const env = Object.fromEntries(exporter.env.map((e: Json) => [e.name, e.value])) as Record<string, string>;
    const port = await exporterWithAuth(false);
    await waitHealthy(port);
    const url = new URL(env.LSOF_EXPORTER_HEALTHCHECK_URL!);
    expect(url.hostname).toBe('127.0.0.1');
    url.port = String(port);
    for (const name of ['startupProbe', 'livenessProbe']) expect(runInImage(exporter[name].exec.command, { ...env, LSOF_EXPORTER_HEALTHCHECK_URL: url.href }).status, name).toBe(0);
  }, 150_000);
});
