/**
 * --web.config.file for real: the built exporter behind TLS with certificates made by openssl,
 * basic auth with bcrypt hashes, client certificates, reload without restart, and refusal to start
 * on a malformed file.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToExit, spawnListeningExporter, stopChild } from '../support/exporter-process.js';
import { freePort } from '../support/ports.js';
import { httpsGet, makePki, type TestPki } from '../support/tls.js';
import { waitFor } from '../support/wait.js';

let pki: TestPki;
const stops: (() => Promise<void>)[] = [];
const ALICE = bcrypt.hashSync('alice-secret', 4);

beforeAll(() => {
  pki = makePki();
});

afterAll(async () => {
  await Promise.all(stops.map((s) => s()));
  fs.rmSync(pki.dir, { recursive: true, force: true });
});

function writeConfig(name: string, yaml: string): string {
  const file = path.join(pki.dir, name);
  fs.writeFileSync(file, yaml);
  return file;
}

async function startWith(configFile: string, tls = true): Promise<{ url: string; logs: () => string; pid: number }> {
  const port = await freePort();
  const { child, logs } = await spawnListeningExporter([`--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${configFile}`, '--scan.interval=1s']);
  stops.push(() => stopChild(child));
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, logs, pid: child.pid! };
}

const tlsBlock = (extra = '') => `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n${extra}`;

describe('TLS with basic auth', () => {
  let url: string;
  let file: string;
  let logs: () => string;

  beforeAll(async () => {
    file = writeConfig('auth.yml', `${tlsBlock()}basic_auth_users:\n  alice: ${ALICE}\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n`);
    ({ url, logs } = await startWith(file));
  });

  it('asks for credentials when none are sent', async () => {
    const r = await httpsGet(`${url}/metrics`, { ca: pki.caCert });
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Basic realm="lsof-exporter"/);
    expect(r.body).not.toMatch(/lsof_/);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    expect((await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'alice:wrong' })).status).toBe(401);
    expect((await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'mallory:alice-secret' })).status).toBe(401);
  });

  it('serves the metrics, with the configured header, to the right user over a verified TLS connection', async () => {
    const r = await waitFor(async () => {
      const a = await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'alice:alice-secret' });
      return /^lsof_scans_total\{result="success"\} [1-9]/m.test(a.body) ? a : undefined;
    }, 'a scrape with data', 60_000);
    expect(r.status).toBe(200);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    // repeated scrapes hit the verification cache and keep working
    for (let i = 0; i < 3; i++) expect((await httpsGet(`${url}/healthz`, { ca: pki.caCert, auth: 'alice:alice-secret' })).status).toBe(200);
  });

  it('bounds bcrypt work under a flood of wrong credentials, while a verified user still gets in', async () => {
    const seen = new Set<number>();
    await waitFor(async () => {
      const flood = Array.from({ length: 40 }, () => httpsGet(`${url}/healthz`, { ca: pki.caCert, auth: 'mallory:guess' }).then((r) => r.status));
      const legit = await httpsGet(`${url}/healthz`, { ca: pki.caCert, auth: 'alice:alice-secret' });
      expect(legit.status).toBe(200);
      (await Promise.all(flood)).forEach((st) => seen.add(st));
      return seen.has(503);
    }, 'a 503 for too many bcrypt runs at once');
    expect([...seen].sort()).toEqual([401, 503]);
  });

  it('gives a plain-HTTP client on the TLS port no HTTP answer and no data', async () => {
    const port = Number(new URL(url).port);
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString('latin1')));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      s.setTimeout(10_000, () => s.destroy());
    });
    expect(reply).not.toMatch(/lsof_|HTTP\/1\.1 200/);
  });

  it('cuts off a client that opens the TLS port and never starts the handshake', async () => {
    const s = net.connect(Number(new URL(url).port), '127.0.0.1');
    s.on('error', () => {});
    let closed = false;
    s.on('close', () => (closed = true));
    try {
      await waitFor(() => closed, 'the server to close the silent connection', 30_000, 250);
    } finally {
      s.destroy();
    }
  });

  it('refuses a client that only speaks a version below min_version', async () => {
    const strict = writeConfig('tls13.yml', tlsBlock('  min_version: TLS13\n'));
    const s = await startWith(strict);
    await expect(httpsGet(`${s.url}/healthz`, { ca: pki.caCert, maxVersion: 'TLSv1.2' })).rejects.toThrow();
    expect((await httpsGet(`${s.url}/healthz`, { ca: pki.caCert })).status).not.toBe(401);
  });

  it('applies a new user and a removed one on the next connection, without a restart', async () => {
    const bob = bcrypt.hashSync('bob-secret', 4);
    fs.writeFileSync(file, `${tlsBlock()}basic_auth_users:\n  bob: ${bob}\n`);
    await waitFor(async () => (await httpsGet(`${url}/healthz`, { ca: pki.caCert, auth: 'bob:bob-secret' })).status !== 401, 'bob to be let in');
    expect((await httpsGet(`${url}/healthz`, { ca: pki.caCert, auth: 'alice:alice-secret' })).status).toBe(401);
    expect(logs()).toMatch(/msg="web config reloaded"/);
  });

  it('keeps the previous settings when the file is broken, logging the reason once', async () => {
    fs.writeFileSync(file, `${tlsBlock()}basic_auth_users:\n  bob: not-a-hash\n`);
    for (let i = 0; i < 3; i++) expect((await httpsGet(`${url}/healthz`, { ca: pki.caCert, auth: 'bob:bob-secret' })).status).not.toBe(401);
    const rejected = logs().match(/web config change rejected.*not a bcrypt hash/g) ?? [];
    expect(rejected).toHaveLength(1);
  });
});

describe('client certificates', () => {
  let url: string;

  beforeAll(async () => {
    ({ url } = await startWith(writeConfig('mtls.yml', tlsBlock('  client_ca_file: ca.pem\n'))));
  });

  it('lets in a client with a certificate issued by the client CA', async () => {
    expect((await httpsGet(`${url}/healthz`, { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey })).status).not.toBe(401);
  });

  it('refuses a client without a certificate and one with a self-signed certificate', async () => {
    await expect(httpsGet(`${url}/healthz`, { ca: pki.caCert })).rejects.toThrow();
    await expect(httpsGet(`${url}/healthz`, { ca: pki.caCert, cert: pki.rogueCert, key: pki.rogueKey })).rejects.toThrow();
  });

  it('VerifyClientCertIfGiven admits no certificate but refuses a bad one', async () => {
    const s = await startWith(writeConfig('ifgiven.yml', tlsBlock('  client_ca_file: ca.pem\n  client_auth_type: VerifyClientCertIfGiven\n')));
    expect((await httpsGet(`${s.url}/healthz`, { ca: pki.caCert })).status).not.toBe(401);
    await expect(httpsGet(`${s.url}/healthz`, { ca: pki.caCert, cert: pki.rogueCert, key: pki.rogueKey })).rejects.toThrow();
  });
});

describe('SIGHUP', () => {
  it('re-reads the web config file without waiting for a connection', async () => {
    const file = writeConfig('hup.yml', `basic_auth_users:\n  alice: ${ALICE}\n`);
    const s = await startWith(file, false);
    fs.writeFileSync(file, `basic_auth_users:\n  alice: ${ALICE}\n  carol: ${ALICE}\n`);
    process.kill(s.pid, 'SIGHUP');
    await waitFor(() => /msg="web config reloaded"/.test(s.logs()), 'the reload log line');
    const res = await fetch(`${s.url}/healthz`, { headers: { authorization: `Basic ${Buffer.from('carol:alice-secret').toString('base64')}` } });
    expect(res.status).not.toBe(401);
  });
});

describe('a malformed web config file', () => {
  it.each([
    ['bad YAML', 'tls_server_config: [', /not valid YAML/],
    ['a misspelt key', 'basic_auth_user: {}\n', /basic_auth_user: unknown key/],
    ['a missing certificate file', 'tls_server_config: {cert_file: nowhere.pem, key_file: server.key}\n', /cert_file: cannot read .*nowhere\.pem: ENOENT/],
    ['a key that is not PEM', 'tls_server_config: {cert_file: server.pem, key_file: auth.yml}\n', /cannot use the certificate or key/],
  ])('stops the exporter at start with exit 2 and one line: %s', async (_name, yaml, message) => {
    const file = writeConfig('broken.yml', yaml);
    const { code, output } = await runToExit([`--web.listen-address=127.0.0.1:${await freePort()}`, `--web.config.file=${file}`]);
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/^lsof-exporter: --web\.config\.file=/);
    expect(output).toMatch(message);
  });

  it('stops the exporter when the file does not exist', async () => {
    const { code, output } = await runToExit([`--web.config.file=${path.join(pki.dir, 'absent.yml')}`, `--web.listen-address=127.0.0.1:${await freePort()}`]);
    expect(code).toBe(2);
    expect(output).toMatch(/web config file: cannot read .*absent\.yml: ENOENT/);
  });
});
