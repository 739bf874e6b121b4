/**
 * TLS peers for tests: a throw-away CA, a server certificate for 127.0.0.1 and client certificates,
 * made with the real openssl; an HTTPS client that can present a certificate and basic-auth creds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Self-signed, not issued by the CA. */
  rogueCert: string;
  rogueKey: string;
  /** An RSA server certificate for 127.0.0.1 (static-RSA suites need one). */
  serverRsaCert: string;
  serverRsaKey: string;
  /** A client certificate with subject alternative names DNS:prometheus.example and a SPIFFE URI. */
  clientSanCert: string;
  clientSanKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

function issue(dir: string, name: string, subject: string, ext: string, key = EC_KEY): void {
  openssl(dir, ['req', ...key, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`]);
}

export function makePki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-pki-'));
  const selfSigned = (name: string, cn: string) =>
    openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`]);
  selfSigned('ca', 'lsof-exporter test CA');
  issue(dir, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue(dir, 'client', '/CN=prometheus', 'extendedKeyUsage=clientAuth\n');
  issue(dir, 'server-rsa', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n', ['-newkey', 'rsa:2048']);
  issue(dir, 'client-san', '/CN=prometheus', 'subjectAltName=DNS:prometheus.example,URI:spiffe://cluster.local/ns/monitoring/sa/prometheus\nextendedKeyUsage=clientAuth\n');
  selfSigned('rogue', 'prometheus');
  const f = (n: string) => path.join(dir, n);
  return {
    dir,
    caCert: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
    rogueCert: f('rogue.pem'),
    rogueKey: f('rogue.key'),
    serverRsaCert: f('server-rsa.pem'),
    serverRsaKey: f('server-rsa.key'),
    clientSanCert: f('client-san.pem'),
    clientSanKey: f('client-san.key'),
  };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpsOptions {
  ca: string;
  auth?: string;
  cert?: string;
  key?: string;
  maxVersion?: tls.SecureVersion;
  /** The name the certificate must carry (and SNI), when the URL's host is not it. */
  servername?: string;
}

/** GET over HTTPS on a fresh connection; rejects on any TLS or socket failure. */
export function httpsGet(url: string, o: HttpsOptions): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca: fs.readFileSync(o.ca),
        cert: o.cert ? fs.readFileSync(o.cert) : undefined,
        key: o.key ? fs.readFileSync(o.key) : undefined,
        maxVersion: o.maxVersion,
        servername: o.servername,
        auth: o.auth,
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export interface Handshake {
  /** Whether the server answered an HTTP request over the connection (handshake done and kept). */
  answered: boolean;
  protocol: string | null;
  cipher: string | null;
}

/**
 * A real `openssl s_client` connection to 127.0.0.1:port with extra s_client arguments (e.g. -tls1_2
 * -cipher AES128-SHA, -groups P-256, -cert/-key), sending GET /healthz; says whether an HTTP answer came.
 */
export function sClient(port: number, args: string[]): Handshake {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...args], {
    input: 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n',
    encoding: 'utf8',
    timeout: 15_000,
  });
  const out = r.stdout ?? '';
  const negotiated = /^New, (TLSv[\d.]+), Cipher is (\S+)/m.exec(out);
  // s_client prints TLS 1.3 session tickets as they come, so the answer may start mid-line
  return { answered: /HTTP\/1\.1 \d{3} /.test(out), protocol: negotiated?.[1] ?? null, cipher: negotiated?.[2] ?? null };
}
