import { describe, expect, it } from 'vitest';
import { DEFAULT_TLS12_CIPHERS, parseWebConfig, WebConfigError } from '../../src/http/web-config.js';

const HASH = '$2b$10$CFUm0JoCDVAIWuRI9/MQQuhWmDbiZuIR.2aNnCkm7V4q/cBOfnBHu';

function rejects(text: string, message: RegExp): void {
  expect(() => parseWebConfig(text, '/etc/lsof')).toThrow(WebConfigError);
  expect(() => parseWebConfig(text, '/etc/lsof')).toThrow(message);
}

describe('parseWebConfig', () => {
  it('treats an empty file as plain HTTP without auth', () => {
    expect(parseWebConfig('', '/x')).toEqual({ tls: null, basicAuthUsers: new Map(), headers: {} });
  });

  it('resolves certificate files against the config file folder and applies the toolkit defaults', () => {
    const c = parseWebConfig('tls_server_config:\n  cert_file: tls/cert.pem\n  key_file: /abs/key.pem\n', '/etc/lsof');
    expect(c.tls).toEqual({
      certFile: '/etc/lsof/tls/cert.pem',
      keyFile: '/abs/key.pem',
      clientCaFile: null,
      clientAuthType: 'NoClientCert',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: DEFAULT_TLS12_CIPHERS,
      curves: null,
      clientAllowedSans: [],
    });
  });

  it('offers only ECDHE key exchange with an AEAD on TLS 1.2 unless cipher_suites says otherwise', () => {
    for (const suite of DEFAULT_TLS12_CIPHERS.split(':')) expect(suite).toMatch(/^ECDHE-(RSA|ECDSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  });

  it('maps curve_preferences and keeps client_allowed_sans, as exporter-toolkit spells them', () => {
    const c = parseWebConfig(
      'tls_server_config:\n  cert_file: c\n  key_file: k\n  client_ca_file: ca\n  curve_preferences: [X25519, CurveP384]\n  client_allowed_sans: [prometheus.example, 10.0.0.1]\n',
      '/d',
    );
    expect(c.tls?.curves).toBe('X25519:P-384');
    expect(c.tls?.clientAllowedSans).toEqual(['prometheus.example', '10.0.0.1']);
  });

  it('defaults to verifying every client when only a client CA is given', () => {
    const c = parseWebConfig('tls_server_config: {cert_file: c, key_file: k, client_ca_file: ca}', '/d');
    expect(c.tls?.clientAuthType).toBe('RequireAndVerifyClientCert');
    expect(c.tls?.clientCaFile).toBe('/d/ca');
  });

  it('maps Go cipher suite names and TLS versions to OpenSSL and node names', () => {
    const c = parseWebConfig(
      'tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: TLS13\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]\n',
      '/d',
    );
    expect(c.tls?.minVersion).toBe('TLSv1.3');
    expect(c.tls?.ciphers).toBe('ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305');
  });

  it('reads bcrypt users in all three prefixes and the allowed security headers', () => {
    const y = HASH.replace('$2b$', '$2y$');
    const c = parseWebConfig(`basic_auth_users:\n  alice: "${HASH}"\n  bob: "${y}"\nhttp_server_config:\n  headers:\n    x-frame-options: deny\n`, '/d');
    expect([...c.basicAuthUsers.keys()]).toEqual(['alice', 'bob']);
    expect(c.headers).toEqual({ 'X-Frame-Options': 'deny' });
  });

  it.each([
    ['not YAML', 'tls_server_config: [', /not valid YAML/],
    ['a list at top level', '- a', /\(top level\): want a mapping/],
    ['a misspelt top-level key', 'basic_auth_user: {}', /^basic_auth_user: unknown key$/],
    ['a misspelt TLS key', 'tls_server_config: {cert_file: c, key_file: k, min_verison: TLS12}', /tls_server_config.min_verison: unknown key/],
    ['a certificate without its key', 'tls_server_config: {cert_file: c}', /key_file: missing/],
    ['an unknown client auth type', 'tls_server_config: {cert_file: c, key_file: k, client_auth_type: Maybe}', /client_auth_type: unknown "Maybe"/],
    ['verification without a CA', 'tls_server_config: {cert_file: c, key_file: k, client_auth_type: VerifyClientCertIfGiven}', /client_ca_file: required/],
    ['a CA that is never used', 'tls_server_config: {cert_file: c, key_file: k, client_ca_file: ca, client_auth_type: NoClientCert}', /never verifies/],
    ['client settings without a certificate', 'tls_server_config: {client_ca_file: ca}', /need cert_file and key_file/],
    ['an unknown TLS version', 'tls_server_config: {cert_file: c, key_file: k, min_version: SSL3}', /min_version: unknown "SSL3"/],
    ['min above max', 'tls_server_config: {cert_file: c, key_file: k, min_version: TLS13, max_version: TLS12}', /above max_version/],
    ['an unknown cipher suite', 'tls_server_config: {cert_file: c, key_file: k, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}', /cipher_suites: unknown or unsupported "TLS_RSA_WITH_RC4_128_SHA"/],
    ['an unknown curve', 'tls_server_config: {cert_file: c, key_file: k, curve_preferences: [X25519MLKEM768]}', /curve_preferences: unknown or unsupported "X25519MLKEM768"/],
    ['a curve named like an object member', 'tls_server_config: {cert_file: c, key_file: k, curve_preferences: [constructor]}', /curve_preferences: unknown or unsupported "constructor"/],
    ['allowed SANs without verification', 'tls_server_config: {cert_file: c, key_file: k, client_allowed_sans: [a]}', /client_allowed_sans: set, but client_auth_type NoClientCert never verifies/],
    ['an empty list of allowed SANs', 'tls_server_config: {cert_file: c, key_file: k, client_ca_file: ca, client_allowed_sans: []}', /client_allowed_sans: want a non-empty list/],
    ['a basic_auth_users key without users', 'basic_auth_users:\n', /basic_auth_users: no users/],
    ['a bcrypt cost above 31', `basic_auth_users: {alice: "${HASH.replace('$10$', '$32$')}"}`, /basic_auth_users.alice: bcrypt cost 32 is outside 4..31/],
    ['a bcrypt cost below 4', `basic_auth_users: {alice: "${HASH.replace('$10$', '$03$')}"}`, /bcrypt cost 3 is outside/],
    ['a plain-text password', 'basic_auth_users: {alice: secret}', /basic_auth_users.alice: not a bcrypt hash/],
    ['a user name with a colon', `basic_auth_users: {"a:b": "${HASH}"}`, /invalid user name "a:b"/],
    ['a header outside the allowed set', 'http_server_config: {headers: {Server: x}}', /"Server" may not be set/],
    ['a duplicated key', 'basic_auth_users: {}\nbasic_auth_users: {}', /not valid YAML/],
  ])('rejects %s with one line naming the key', (_name, text, message) => {
    rejects(text, message);
    try {
      parseWebConfig(text, '/d');
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
