/**
 * The web config file on disk, reloaded when it (or a certificate it names) changes, so rotated
 * certificates and new basic-auth users take effect without a restart. Changes are noticed cheaply:
 * `refresh()` compares the mtimes and sizes of the files, and is called on each new connection and on
 * SIGHUP. A file that no longer parses keeps the last good settings in force (and is reported once);
 * at start, one that does not parse is a WebConfigError and the exporter exits.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { parseWebConfig, WebConfigError, type WebConfig, type TlsSettings } from './web-config.js';

export interface LoadedWebConfig {
  config: WebConfig;
  /** What node's TLS needs (PEM contents read, versions, ciphers); null for plain HTTP. */
  secureContext: tls.SecureContextOptions | null;
}

export class WebConfigFile {
  private loaded: LoadedWebConfig;
  private fingerprint: string;
  private lastError: string | null = null;

  /** Throws WebConfigError (one line) when the file cannot be read or is malformed. */
  constructor(readonly file: string) {
    this.loaded = loadWebConfig(file);
    this.fingerprint = this.currentFingerprint();
  }

  current(): LoadedWebConfig {
    return this.loaded;
  }

  /**
   * Re-reads when a file changed. Returns 'unchanged', 'reloaded', or the one-line error that kept the
   * old settings (returned only the first time it is seen, so a broken file is not logged per connection).
   */
  refresh(): { status: 'unchanged' | 'reloaded' } | { status: 'rejected'; error: string | null } {
    const fingerprint = this.currentFingerprint();
    if (fingerprint === this.fingerprint) return { status: 'unchanged' };
    try {
      const next = loadWebConfig(this.file);
      if ((next.secureContext === null) !== (this.loaded.secureContext === null)) {
        throw new WebConfigError('switching between plain HTTP and TLS needs a restart');
      }
      this.loaded = next;
      this.fingerprint = this.currentFingerprint();
      this.lastError = null;
      return { status: 'reloaded' };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const fresh = error !== this.lastError;
      this.lastError = error;
      return { status: 'rejected', error: fresh ? error : null };
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
  const options: tls.SecureContextOptions = {
    cert: readOrExplain(t.certFile, 'tls_server_config.cert_file'),
    key: readOrExplain(t.keyFile, 'tls_server_config.key_file'),
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    ...(t.clientCaFile ? { ca: readOrExplain(t.clientCaFile, 'tls_server_config.client_ca_file') } : {}),
    ...(t.ciphers ? { ciphers: t.ciphers } : {}),
  };
  try {
    tls.createSecureContext(options); // fail now, with the reason, rather than at the first handshake
  } catch (err) {
    throw new WebConfigError(`tls_server_config: cannot use the certificate or key: ${(err as Error).message}`);
  }
  return options;
}

function readOrExplain(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new WebConfigError(`${what}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
