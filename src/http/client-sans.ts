/**
 * client_allowed_sans (exporter-toolkit): a verified client certificate is accepted only when one of its
 * subject alternative names (DNS, IP address, e-mail or URI) equals an allowed one.
 */
import type { X509Certificate } from 'node:crypto';
import net from 'node:net';

export function hasAllowedSan(cert: X509Certificate, allowed: readonly string[]): boolean {
  const uris = sanValues(cert.subjectAltName ?? '', 'URI');
  const exact = { subject: 'never', wildcards: false, partialWildcards: false } as const;
  return allowed.some((name) => {
    if (net.isIP(name)) return cert.checkIP(name) !== undefined;
    if (name.includes('@')) return cert.checkEmail(name, exact) !== undefined;
    if (name.includes(':')) return uris.includes(name);
    return cert.checkHost(name, exact) !== undefined;
  });
}

/**
 * Values of one kind from node's subjectAltName text (`DNS:a, URI:b`); a value holding a comma or a
 * quote is JSON-quoted there, so quoted values are decoded rather than split.
 */
export function sanValues(text: string, kind: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    if (m[1] === kind) out.push(m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!);
  }
  return out;
}
