/**
 * The web config file on disk, reloaded when it (or a certificate it names) changes, so rotated
 * certificates and new basic-auth users take effect without a restart. Changes are noticed cheaply:
 * `refresh()` compares the mtimes and sizes of the files, and is called on each new connection and on
 * SIGHUP. A file that no longer parses, a certificate that is empty or truncated, or a change that
 * would lower the protection in force keeps the last good settings (reported once per change); at
 * start, any file that cannot be used is a WebConfigError and the exporter exits.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import tls from 'node:tls';
import { parseWebConfig, WebConfigError, type WebConfig, type TlsSettings } from './web-config.js';
import { protectionLowered } from './web-config-protection.js';

export interface LoadedWebConfig {
  config: WebConfig;
  /** What node's TLS needs (PEM contents read, versions, ciphers); null for plain HTTP. */
  secureContext: tls.SecureContextOptions | null;
}

export class WebConfigFile {
  private loaded: LoadedWebConfig;
  private fingerprint: string;
  private rejectedFingerprint: string | null = null;

  /** Throws WebConfigError (one line) when the file cannot be read or is malformed. */
  constructor(readonly file: string) {
    this.loaded = loadWebConfig(file);
    this.fingerprint = this.currentFingerprint();
  }

  current(): LoadedWebConfig {
    return this.loaded;
  }

  /**
   * Re-reads when a file changed. Returns 'unchanged', 'reloaded', or 'rejected' with the one-line
   * reason the old settings stay in force: a file that does not parse or cannot be used, or a change
   * that would lower the protection in force (web-config-protection.ts). A rejected state of the files
   * is not read again until they change again, so it is reported once, not per connection.
   */
  refresh(): { status: 'unchanged' | 'reloaded' } | { status: 'rejected'; error: string } {
    const fingerprint = this.currentFingerprint();
    if (fingerprint === this.fingerprint || fingerprint === this.rejectedFingerprint) return { status: 'unchanged' };
    try {
      const next = loadWebConfig(this.file);
      const lowered = protectionLowered(this.loaded.config, next.config);
      if (lowered) throw new WebConfigError(lowered);
      this.loaded = next;
      this.fingerprint = this.currentFingerprint();
      this.rejectedFingerprint = null;
      return { status: 'reloaded' };
    } catch (err) {
      this.rejectedFingerprint = fingerprint;
      return { status: 'rejected', error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** mtime and size of the config file and of every file it names: a change in any means reload. */
  private currentFingerprint(): string {
    const files = [this.file];
    const t = this.loaded.config.tls;
    if (t) files.push(t.certFile, t.keyFile, ...(t.clientCaFile ? [t.clientCaFile] : []));
    return files
      .map((f) => {
        try {
          const st = fs.statSync(f);
          return `${st.mtimeMs}:${st.size}:${st.ino}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  }
}

export function loadWebConfig(file: string): LoadedWebConfig {
  const config = parseWebConfig(readOrExplain(file, 'web config file'), path.dirname(path.resolve(file)));
  return { config, secureContext: config.tls ? secureContextOptions(config.tls) : null };
}

function secureContextOptions(t: TlsSettings): tls.SecureContextOptions {
  const cert = readOrExplain(t.certFile, 'tls_server_config.cert_file');
  const key = readOrExplain(t.keyFile, 'tls_server_config.key_file');
  const ca = t.clientCaFile ? readOrExplain(t.clientCaFile, 'tls_server_config.client_ca_file') : null;
  checkPem(cert, key, ca, t);
  const options: tls.SecureContextOptions = {
    cert,
    key,
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    ciphers: t.ciphers,
    ...(ca ? { ca } : {}),
    ...(t.curves ? { ecdhCurve: t.curves } : {}),
  };
  try {
    tls.createSecureContext(options); // fail now, with the reason, rather than at the first handshake
  } catch (err) {
    throw new WebConfigError(`tls_server_config: cannot use the certificate or key: ${(err as Error).message}`);
  }
  return options;
}

/**
 * Node's TLS takes an empty or truncated PEM file without a word and then fails every handshake: each
 * file must hold what it is named for, and the key must be the certificate's.
 */
function checkPem(cert: string, key: string, ca: string | null, t: TlsSettings): void {
  const x509 = parseOr(() => new crypto.X509Certificate(cert), `tls_server_config.cert_file: ${t.certFile} holds no usable PEM certificate (empty or truncated?)`);
  const privateKey = parseOr(() => crypto.createPrivateKey(key), `tls_server_config.key_file: ${t.keyFile} holds no usable PEM private key (empty or truncated?)`);
  if (!x509.checkPrivateKey(privateKey)) throw new WebConfigError(`tls_server_config.key_file: ${t.keyFile} is not the key of the certificate in ${t.certFile}`);
  if (ca !== null) parseOr(() => new crypto.X509Certificate(ca), `tls_server_config.client_ca_file: ${t.clientCaFile} holds no usable PEM certificate (empty or truncated?)`);
}

function parseOr<T>(parse: () => T, message: string): T {
  try {
    return parse();
  } catch {
    throw new WebConfigError(message);
  }
}

function readOrExplain(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new WebConfigError(`${what}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
