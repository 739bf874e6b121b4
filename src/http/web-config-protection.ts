/**
 * A reload may tighten or change the web config, never loosen it: an emptied file, a user list that
 * went missing or a TLS block that vanished must not turn authentication or TLS off while the exporter
 * runs (an attacker who can truncate a file would otherwise only need to wait for the next connection).
 * Turning protection off takes a restart, where the operator sees what the exporter starts with.
 */
import type { WebConfig, NodeTlsVersion } from './web-config.js';

const VERSION_ORDER: readonly NodeTlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Why `next` protects less than `current`, or null when it protects at least as much. */
export function protectionLowered(current: WebConfig, next: WebConfig): string | null {
  if (current.basicAuthUsers.size > 0 && next.basicAuthUsers.size === 0) return 'basic_auth_users: turning authentication off needs a restart';
  const [a, b] = [current.tls, next.tls];
  if (!a) return b ? 'tls_server_config: switching from plain HTTP to TLS needs a restart' : null;
  if (!b) return 'tls_server_config: turning TLS off needs a restart';
  if (VERSION_ORDER.indexOf(b.minVersion) < VERSION_ORDER.indexOf(a.minVersion)) return 'tls_server_config.min_version: lowering it needs a restart';
  if (requires(a.clientAuthType) && !requires(b.clientAuthType)) return 'tls_server_config.client_auth_type: no longer requiring client certificates needs a restart';
  if (verifies(a.clientAuthType) && !verifies(b.clientAuthType)) return 'tls_server_config.client_auth_type: no longer verifying client certificates needs a restart';
  if (a.clientAllowedSans.length > 0 && b.clientAllowedSans.length === 0) return 'tls_server_config.client_allowed_sans: removing it needs a restart';
  return null;
}

function requires(type: string): boolean {
  return type === 'RequireAnyClientCert' || type === 'RequireAndVerifyClientCert';
}

function verifies(type: string): boolean {
  return type === 'VerifyClientCertIfGiven' || type === 'RequireAndVerifyClientCert';
}
