/**
 * --web.config.file for real: the built exporter behind TLS with certificates made by openssl,
 * basic auth with bcrypt hashes, client certificates, reload without restart (never lowering the
 * protection in force), refusal to start on a malformed or unusable file, and the TLS parameters
 * checked with real `openssl s_client` handshakes.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToExit, spawnListeningExporter, stopChild } from '../support/exporter-process.js';
import { freePort } from '../support/ports.js';
import { httpsGet, makePki, sClient, type TestPki } from '../support/tls.js';
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

  it('answers a burst of wrong credentials 401, never 503, while a verified user still gets in', async () => {
    const flood = Array.from({ length: 40 }, (_, i) => httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: `mallory:guess-${i}` }).then((r) => r.status));
    const legit = await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'alice:alice-secret' });
    expect(legit.status).toBe(200);
    expect(new Set(await Promise.all(flood))).toEqual(new Set([401]));
  });

  it('answers /healthz without credentials with ok and nothing else, so probes work with auth on', async () => {
    const r = await httpsGet(`${url}/healthz`, { ca: pki.caCert });
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok\n');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await httpsGet(`${url}/`, { ca: pki.caCert })).status).toBe(401);
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
    await waitFor(async () => (await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'bob:bob-secret' })).status !== 401, 'bob to be let in');
    expect((await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'alice:alice-secret' })).status).toBe(401);
    expect(logs()).toMatch(/msg="web config reloaded"/);
  });

  it('keeps the previous settings when the file is broken, logging the reason once', async () => {
    fs.writeFileSync(file, `${tlsBlock()}basic_auth_users:\n  bob: not-a-hash\n`);
    for (let i = 0; i < 3; i++) expect((await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'bob:bob-secret' })).status).toBe(200);
    const rejected = logs().match(/web config change rejected.*not a bcrypt hash/g) ?? [];
    expect(rejected).toHaveLength(1);
  });

  it('keeps authentication on when the file is emptied or its user list is cleared, and counts each rejection', async () => {
    const failures = async () => Number(/^lsof_exporter_web_config_reloads_total\{result="failure"\} (\d+)/m.exec((await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'bob:bob-secret' })).body)?.[1]);
    const before = await failures();
    for (const [content, reason] of [
      ['', /turning authentication off needs a restart/],
      [`${tlsBlock()}`, /turning authentication off needs a restart/],
      [`${tlsBlock()}basic_auth_users:\n`, /basic_auth_users: no users/],
    ] as const) {
      fs.writeFileSync(file, content);
      expect((await httpsGet(`${url}/metrics`, { ca: pki.caCert })).status).toBe(401);
      expect((await httpsGet(`${url}/metrics`, { ca: pki.caCert, auth: 'bob:bob-secret' })).status).toBe(200);
      await waitFor(() => new RegExp(`web config change rejected.*${reason.source}`).test(logs()), `the rejection: ${reason.source}`);
    }
    expect(await failures()).toBe(before + 3);
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

describe('certificate files that cannot be used', () => {
  it('keeps serving the old certificate when the certificate file is truncated while running', async () => {
    fs.copyFileSync(pki.serverCert, path.join(pki.dir, 'live.pem'));
    const file = writeConfig('live.yml', 'tls_server_config:\n  cert_file: live.pem\n  key_file: server.key\n');
    const s = await startWith(file);
    const pem = fs.readFileSync(pki.serverCert, 'utf8');
    fs.writeFileSync(path.join(pki.dir, 'live.pem'), pem.slice(0, pem.length / 2));
    // TLS still works with the certificate loaded at start (503: no scan has completed yet is fine)
    expect([200, 503]).toContain((await httpsGet(`${s.url}/healthz`, { ca: pki.caCert })).status);
    await waitFor(() => /web config change rejected.*cert_file: .*live\.pem holds no usable PEM certificate/.test(s.logs()), 'the rejection to be logged');
    expect(s.logs()).not.toMatch(/msg="web config reloaded"/);
    const metrics = await httpsGet(`${s.url}/metrics`, { ca: pki.caCert });
    expect(metrics.body).toMatch(/^lsof_exporter_web_config_reloads_total\{result="failure"\} 1$/m);
  });
});

describe('TLS parameters, checked with openssl s_client', () => {
  let rsaPort: number;
  const rsaBlock = (extra = '') => `tls_server_config:\n  cert_file: server-rsa.pem\n  key_file: server-rsa.key\n${extra}`;
  const portOf = (u: string) => Number(new URL(u).port);
  const ca = () => ['-CAfile', pki.caCert];

  beforeAll(async () => {
    rsaPort = portOf((await startWith(writeConfig('rsa.yml', rsaBlock()))).url);
  });

  it('refuses static-RSA and CBC suites on TLS 1.2 by default', () => {
    for (const cipher of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384']) {
      expect(sClient(rsaPort, [...ca(), '-tls1_2', '-cipher', cipher]), cipher).toEqual({ answered: false, protocol: null, cipher: null });
    }
  });

  it('accepts ECDHE with AEAD on TLS 1.2, and TLS 1.3', () => {
    for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
      expect(sClient(rsaPort, [...ca(), '-tls1_2', '-cipher', cipher]), cipher).toEqual({ answered: true, protocol: 'TLSv1.2', cipher });
    }
    expect(sClient(rsaPort, [...ca(), '-tls1_3'])).toMatchObject({ answered: true, protocol: 'TLSv1.3' });
  });

  it('offers exactly the cipher_suites listed', async () => {
    const port = portOf((await startWith(writeConfig('suites.yml', rsaBlock('  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n')))).url);
    expect(sClient(port, [...ca(), '-tls1_2'])).toMatchObject({ answered: true, cipher: 'ECDHE-RSA-AES256-GCM-SHA384' });
    expect(sClient(port, [...ca(), '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'])).toMatchObject({ answered: false, protocol: null });
  });

  it('negotiates only the curve_preferences listed, on TLS 1.2 and 1.3', async () => {
    const port = portOf((await startWith(writeConfig('curves.yml', rsaBlock('  curve_preferences: [CurveP384]\n')))).url);
    for (const version of ['-tls1_2', '-tls1_3']) {
      expect(sClient(port, [...ca(), version, '-groups', 'P-384']).answered, version).toBe(true);
      expect(sClient(port, [...ca(), version, '-groups', 'P-256:X25519']), version).toMatchObject({ answered: false, protocol: null });
    }
  });

  it('admits a verified client certificate only with one of the client_allowed_sans', async () => {
    const extra = '  client_ca_file: ca.pem\n  client_allowed_sans: [prometheus.example]\n';
    const port = portOf((await startWith(writeConfig('sans.yml', rsaBlock(extra)))).url);
    expect(sClient(port, [...ca(), '-cert', pki.clientSanCert, '-key', pki.clientSanKey]).answered).toBe(true);
    expect(sClient(port, [...ca(), '-cert', pki.clientCert, '-key', pki.clientKey]).answered).toBe(false);
    const uriPort = portOf((await startWith(writeConfig('sans-uri.yml', rsaBlock('  client_ca_file: ca.pem\n  client_allowed_sans: [spiffe://cluster.local/ns/monitoring/sa/prometheus]\n')))).url);
    expect(sClient(uriPort, [...ca(), '-cert', pki.clientSanCert, '-key', pki.clientSanKey]).answered).toBe(true);
    expect(sClient(uriPort, [...ca(), '-cert', pki.clientCert, '-key', pki.clientKey]).answered).toBe(false);
  });
});

describe('a malformed web config file', () => {
  it.each([
    ['bad YAML', 'tls_server_config: [', /not valid YAML/],
    ['a misspelt key', 'basic_auth_user: {}\n', /basic_auth_user: unknown key/],
    ['a missing certificate file', 'tls_server_config: {cert_file: nowhere.pem, key_file: server.key}\n', /cert_file: cannot read .*nowhere\.pem: ENOENT/],
    ['a key that is not PEM', 'tls_server_config: {cert_file: server.pem, key_file: auth.yml}\n', /key_file: .*auth\.yml holds no usable PEM private key/],
    ['an empty certificate file', 'tls_server_config: {cert_file: empty.pem, key_file: server.key}\n', /cert_file: .*empty\.pem holds no usable PEM certificate/],
    ['a truncated certificate', 'tls_server_config: {cert_file: truncated.pem, key_file: server.key}\n', /cert_file: .*truncated\.pem holds no usable PEM certificate/],
    ['an empty key file', 'tls_server_config: {cert_file: server.pem, key_file: empty.pem}\n', /key_file: .*empty\.pem holds no usable PEM private key/],
    ['a key of another certificate', 'tls_server_config: {cert_file: server.pem, key_file: client.key}\n', /key_file: .*client\.key is not the key of the certificate/],
    ['an empty client CA', 'tls_server_config: {cert_file: server.pem, key_file: server.key, client_ca_file: empty.pem}\n', /client_ca_file: .*empty\.pem holds no usable PEM certificate/],
    ['a user list without users', 'basic_auth_users:\n', /basic_auth_users: no users/],
    ['a bcrypt cost above 31', `basic_auth_users: {alice: "${ALICE.replace(/^\$2(.)\$04\$/, '$2$1$32$')}"}\n`, /bcrypt cost 32 is outside 4\.\.31/],
  ])('stops the exporter at start with exit 2 and one line: %s', async (_name, yaml, message) => {
    fs.writeFileSync(path.join(pki.dir, 'empty.pem'), '');
    const pem = fs.readFileSync(pki.serverCert, 'utf8');
    fs.writeFileSync(path.join(pki.dir, 'truncated.pem'), pem.slice(0, pem.length - 40));
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
