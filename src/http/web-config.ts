/**
 * The web config file Prometheus exporters share (prometheus/exporter-toolkit, `--web.config.file`):
 *
 *   tls_server_config: { cert_file, key_file, client_ca_file, client_auth_type, min_version,
 *                        max_version, cipher_suites }
 *   http_server_config: { headers, http2 }
 *   basic_auth_users: { name: bcrypt-hash }
 *
 * Pure: text in, settings out (relative file names resolved against the config file's folder, as
 * exporter-toolkit does). Unknown keys are errors, like the toolkit's strict unmarshalling, so a typo
 * never silently turns TLS or auth off. Every error is one line naming the key.
 */
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
export type NodeTlsVersion = (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];

/** Go's names (what the toolkit accepts) -> OpenSSL's. Go applies these to TLS 1.2 and below only, as does node. */
const CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
};

/** The security headers exporter-toolkit lets an operator set (others are refused, as there). */
const ALLOWED_HEADERS = ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection', 'Content-Security-Policy'];

/** $2a$, $2b$ and $2y$ (htpasswd) are the same algorithm; cost two digits; 22 salt + 31 hash chars. */
const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  clientCaFile: string | null;
  clientAuthType: ClientAuthType;
  minVersion: NodeTlsVersion;
  maxVersion: NodeTlsVersion;
  /** OpenSSL cipher list for TLS <= 1.2, or null for node's defaults. */
  ciphers: string | null;
}

export interface WebConfig {
  /** null: plain HTTP (no tls_server_config, or one without cert_file and key_file, as in the toolkit). */
  tls: TlsSettings | null;
  /** user name -> bcrypt hash; empty: no authentication. */
  basicAuthUsers: Map<string, string>;
  headers: Record<string, string>;
}

export class WebConfigError extends Error {}

type Obj = Record<string, unknown>;

export function parseWebConfig(text: string, baseDir: string): WebConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new WebConfigError(`not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const root = objectAt(doc ?? {}, '(top level)');
  knownKeys(root, '', ['tls_server_config', 'http_server_config', 'basic_auth_users']);
  return {
    tls: parseTls(objectAt(root.tls_server_config ?? {}, 'tls_server_config'), baseDir),
    basicAuthUsers: parseUsers(objectAt(root.basic_auth_users ?? {}, 'basic_auth_users')),
    headers: parseHttp(objectAt(root.http_server_config ?? {}, 'http_server_config')),
  };
}

function parseTls(o: Obj, baseDir: string): TlsSettings | null {
  const keys = ['cert_file', 'key_file', 'client_ca_file', 'client_auth_type', 'min_version', 'max_version', 'cipher_suites', 'prefer_server_cipher_suites'];
  knownKeys(o, 'tls_server_config.', keys);
  const certFile = optString(o, 'tls_server_config.cert_file');
  const keyFile = optString(o, 'tls_server_config.key_file');
  const clientCaFile = optString(o, 'tls_server_config.client_ca_file');
  if (!certFile && !keyFile) {
    if (clientCaFile || o.client_auth_type !== undefined) throw new WebConfigError('tls_server_config: client certificate settings need cert_file and key_file');
    return null;
  }
  if (!certFile) throw new WebConfigError('tls_server_config.cert_file: missing (key_file is set)');
  if (!keyFile) throw new WebConfigError('tls_server_config.key_file: missing (cert_file is set)');
  const clientAuthType = parseClientAuth(optString(o, 'tls_server_config.client_auth_type'), clientCaFile);
  const minVersion = parseVersion(o, 'min_version', 'TLS12');
  const maxVersion = parseVersion(o, 'max_version', 'TLS13');
  if (minVersion > maxVersion) throw new WebConfigError(`tls_server_config: min_version ${String(o.min_version)} is above max_version ${String(o.max_version ?? 'TLS13')}`);
  const resolve = (f: string) => path.resolve(baseDir, f);
  return {
    certFile: resolve(certFile),
    keyFile: resolve(keyFile),
    clientCaFile: clientCaFile ? resolve(clientCaFile) : null,
    clientAuthType,
    minVersion,
    maxVersion,
    ciphers: parseCiphers(o.cipher_suites),
  };
}

function parseClientAuth(value: string | null, clientCaFile: string | null): ClientAuthType {
  // As in exporter-toolkit: a client CA without an explicit policy means "verify every client".
  const type = value ?? (clientCaFile ? 'RequireAndVerifyClientCert' : 'NoClientCert');
  if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(type)) {
    throw new WebConfigError(`tls_server_config.client_auth_type: unknown "${type}" (want one of ${CLIENT_AUTH_TYPES.join(', ')})`);
  }
  const verifies = type === 'VerifyClientCertIfGiven' || type === 'RequireAndVerifyClientCert';
  if (verifies && !clientCaFile) throw new WebConfigError(`tls_server_config.client_ca_file: required by client_auth_type ${type}`);
  if (!verifies && clientCaFile) throw new WebConfigError(`tls_server_config.client_ca_file: set, but client_auth_type ${type} never verifies client certificates`);
  return type as ClientAuthType;
}

function parseVersion(o: Obj, key: string, fallback: keyof typeof TLS_VERSIONS): NodeTlsVersion {
  const value = o[key] ?? fallback;
  if (typeof value !== 'string' || !(value in TLS_VERSIONS)) {
    throw new WebConfigError(`tls_server_config.${key}: unknown "${String(value)}" (want one of ${Object.keys(TLS_VERSIONS).join(', ')})`);
  }
  return TLS_VERSIONS[value as keyof typeof TLS_VERSIONS];
}

function parseCiphers(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0) throw new WebConfigError('tls_server_config.cipher_suites: want a non-empty list of cipher suite names');
  return value
    .map((name) => {
      const openssl = typeof name === 'string' ? CIPHER_SUITES[name] : undefined;
      if (!openssl) throw new WebConfigError(`tls_server_config.cipher_suites: unknown or insecure suite "${String(name)}"`);
      return openssl;
    })
    .join(':');
}

function parseUsers(o: Obj): Map<string, string> {
  const users = new Map<string, string>();
  for (const [name, hash] of Object.entries(o)) {
    if (name === '' || name.includes(':')) throw new WebConfigError(`basic_auth_users: invalid user name "${name}" (must be non-empty, without ":")`);
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
      throw new WebConfigError(`basic_auth_users.${name}: not a bcrypt hash (want $2a$, $2b$ or $2y$, e.g. from htpasswd -nBC 10)`);
    }
    users.set(name, hash);
  }
  return users;
}

function parseHttp(o: Obj): Record<string, string> {
  knownKeys(o, 'http_server_config.', ['headers', 'http2']);
  if (o.http2 !== undefined && typeof o.http2 !== 'boolean') throw new WebConfigError('http_server_config.http2: want true or false');
  const headers = objectAt(o.headers ?? {}, 'http_server_config.headers');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const canonical = ALLOWED_HEADERS.find((h) => h.toLowerCase() === name.toLowerCase());
    if (!canonical) throw new WebConfigError(`http_server_config.headers: "${name}" may not be set (allowed: ${ALLOWED_HEADERS.join(', ')})`);
    if (typeof value !== 'string' || /[\r\n]/.test(value)) throw new WebConfigError(`http_server_config.headers.${name}: want a one-line string`);
    out[canonical] = value;
  }
  return out;
}

function objectAt(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WebConfigError(`${where}: want a mapping`);
  return value as Obj;
}

function knownKeys(o: Obj, prefix: string, allowed: string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new WebConfigError(`${prefix}${key}: unknown key`);
  }
}

function optString(o: Obj, where: string): string | null {
  const key = where.slice(where.lastIndexOf('.') + 1);
  const v = o[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new WebConfigError(`${where}: want a string`);
  return v;
}
