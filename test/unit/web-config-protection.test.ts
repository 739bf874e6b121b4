import { describe, expect, it } from 'vitest';
import { parseWebConfig } from '../../src/http/web-config.js';
import { protectionLowered } from '../../src/http/web-config-protection.js';

const HASH = '$2b$10$CFUm0JoCDVAIWuRI9/MQQuhWmDbiZuIR.2aNnCkm7V4q/cBOfnBHu';
const TLS = 'tls_server_config:\n  cert_file: c\n  key_file: k\n';
const cfg = (text: string) => parseWebConfig(text, '/d');

describe('protectionLowered', () => {
  it.each([
    ['users removed by an emptied file', `basic_auth_users: {a: "${HASH}"}`, '', /turning authentication off needs a restart/],
    ['TLS removed', TLS, '', /turning TLS off needs a restart/],
    ['TLS added', '', TLS, /from plain HTTP to TLS needs a restart/],
    ['min_version lowered', `${TLS}  min_version: TLS13\n`, TLS, /min_version: lowering it/],
    ['client certificates no longer required', `${TLS}  client_auth_type: RequireAnyClientCert\n`, TLS, /no longer requiring/],
    ['client certificates no longer verified', `${TLS}  client_ca_file: ca\n`, `${TLS}  client_auth_type: RequireAnyClientCert\n`, /no longer verifying/],
    ['allowed SANs removed', `${TLS}  client_ca_file: ca\n  client_allowed_sans: [p]\n`, `${TLS}  client_ca_file: ca\n`, /client_allowed_sans: removing it/],
  ])('refuses a reload that lowers protection: %s', (_name, before, after, reason) => {
    expect(protectionLowered(cfg(before), cfg(after))).toMatch(reason);
  });

  it.each([
    ['another user list', `basic_auth_users: {a: "${HASH}"}`, `basic_auth_users: {b: "${HASH}"}`],
    ['auth turned on', '', `basic_auth_users: {a: "${HASH}"}`],
    ['min_version raised', TLS, `${TLS}  min_version: TLS13\n`],
    ['client certificates now verified', TLS, `${TLS}  client_ca_file: ca\n`],
    ['nothing changed', TLS, TLS],
  ])('accepts a reload that keeps or raises protection: %s', (_name, before, after) => {
    expect(protectionLowered(cfg(before), cfg(after))).toBeNull();
  });
});
