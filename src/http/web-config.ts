/**
 * The web config file Prometheus exporters share (prometheus/exporter-toolkit, `--web.config.file`):
 *
 *   tls_server_config: { cert_file, key_file, client_ca_file, client_auth_type, client_allowed_sans,
 *                        min_version, max_version, cipher_suites, curve_preferences }
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

/**
 * Without cipher_suites, TLS 1.2 offers what Go's crypto/tls prefers: ECDHE key exchange with an AEAD
 * (AES-GCM, ChaCha20-Poly1305) only. Node's own default still accepts static-RSA and CBC suites such
 * as AES128-SHA. TLS 1.3 suites are all AEAD and stay node's.
 */
export const DEFAULT_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Go's curve names (tls.CurveID) -> OpenSSL's group names. */
const CURVES: Record<string, string> = { X25519: 'X25519', CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521' };

/** The security headers exporter-toolkit lets an operator set (others are refused, as there). */
const ALLOWED_HEADERS = ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection', 'Content-Security-Policy'];

/** $2a$, $2b$ and $2y$ (htpasswd) are the same algorithm; cost two digits; 22 salt + 31 hash chars. */
const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
/** bcrypt's cost is a base-2 logarithm from 4 to 31; a hash outside can never match. */
const BCRYPT_COSTS = { min: 4, max: 31 };

/** The cost of a hash that passed parseWebConfig. */
export function bcryptCost(hash: string): number {
  return Number(hash.slice(4, 6));
}

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  clientCaFile: string | null;
  clientAuthType: ClientAuthType;
  minVersion: NodeTlsVersion;
  maxVersion: NodeTlsVersion;
  /** OpenSSL cipher list for TLS <= 1.2 (DEFAULT_TLS12_CIPHERS unless cipher_suites says otherwise). */
  ciphers: string;
  /** OpenSSL group list (curve_preferences), or null for node's default. */
  curves: string | null;
  /** client_allowed_sans: a verified client certificate must carry one of these SANs; empty: any. */
  clientAllowedSans: string[];
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
    basicAuthUsers: parseUsers('basic_auth_users' in root ? objectAt(root.basic_auth_users ?? {}, 'basic_auth_users') : null),
    headers: parseHttp(objectAt(root.http_server_config ?? {}, 'http_server_config')),
  };
}

function parseTls(o: Obj, baseDir: string): TlsSettings | null {
  const keys = ['cert_file', 'key_file', 'client_ca_file', 'client_auth_type', 'client_allowed_sans', 'min_version', 'max_version', 'cipher_suites', 'curve_preferences', 'prefer_server_cipher_suites'];
  knownKeys(o, 'tls_server_config.', keys);
  const certFile = optString(o, 'tls_server_config.cert_file');
  const keyFile = optString(o, 'tls_server_config.key_file');
  const clientCaFile = optString(o, 'tls_server_config.client_ca_file');
  if (!certFile && !keyFile) {
    if (clientCaFile || o.client_auth_type !== undefined || o.client_allowed_sans !== undefined) {
      throw new WebConfigError('tls_server_config: client certificate settings need cert_file and key_file');
    }
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
    curves: parseNames(o.curve_preferences, 'curve_preferences', CURVES)?.join(':') ?? null,
    clientAllowedSans: parseAllowedSans(o.client_allowed_sans, clientAuthType),
  };
}

/** As exporter-toolkit: the SANs are checked on certificates that were verified against client_ca_file. */
function parseAllowedSans(value: unknown, type: ClientAuthType): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new WebConfigError('tls_server_config.client_allowed_sans: want a non-empty list of names');
  }
  if (type !== 'RequireAndVerifyClientCert' && type !== 'VerifyClientCertIfGiven') {
    throw new WebConfigError(`tls_server_config.client_allowed_sans: set, but client_auth_type ${type} never verifies client certificates`);
  }
  return value as string[];
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

function parseCiphers(value: unknown): string {
  if (value === undefined || value === null) return DEFAULT_TLS12_CIPHERS;
  return parseNames(value, 'cipher_suites', CIPHER_SUITES)!.join(':');
}

/** A non-empty list of Go names, each mapped to OpenSSL's; anything else fails closed. */
function parseNames(value: unknown, key: string, known: Record<string, string>): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0) throw new WebConfigError(`tls_server_config.${key}: want a non-empty list of names`);
  return value.map((name) => {
    const openssl = typeof name === 'string' && Object.hasOwn(known, name) ? known[name] : undefined;
    if (!openssl) throw new WebConfigError(`tls_server_config.${key}: unknown or unsupported "${String(name)}" (want some of ${Object.keys(known).join(', ')})`);
    return openssl;
  });
}

function parseUsers(o: Obj | null): Map<string, string> {
  const users = new Map<string, string>();
  if (o === null) return users;
  // A present but empty list reads as "authentication on" yet would turn it off: refuse it.
  if (Object.keys(o).length === 0) throw new WebConfigError('basic_auth_users: no users (remove the key to serve without authentication)');
  for (const [name, hash] of Object.entries(o)) {
    if (name === '' || name.includes(':')) throw new WebConfigError(`basic_auth_users: invalid user name "${name}" (must be non-empty, without ":")`);
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
      throw new WebConfigError(`basic_auth_users.${name}: not a bcrypt hash (want $2a$, $2b$ or $2y$, e.g. from htpasswd -nBC 10)`);
    }
    const cost = bcryptCost(hash);
    if (cost < BCRYPT_COSTS.min || cost > BCRYPT_COSTS.max) {
      throw new WebConfigError(`basic_auth_users.${name}: bcrypt cost ${cost} is outside ${BCRYPT_COSTS.min}..${BCRYPT_COSTS.max} and can never match`);
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
