/**
 * The listening side: plain HTTP, or HTTPS when the web config file has a tls_server_config. The app
 * stays the same either way. Slow clients are cut off (TLS handshake and headers within 10s, a whole
 * request within 30s, idle sockets after 60s), checked every second rather than node's default 30s.
 *
 * With a web config file, each new connection first asks it whether a file changed (a stat or four),
 * so a rotated certificate, a new client CA or a new basic-auth user applies to the next connection.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { RequestListener } from 'node:http';
import type { Logger } from '../log.js';
import type { ClientAuthType } from './web-config.js';
import type { WebConfigFile } from './web-config-file.js';

export const SERVER_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, idleSocketMs: 60_000, checkEveryMs: 1_000 };

export interface ExporterServer {
  server: http.Server;
  /** Re-read the web config file now (SIGHUP). */
  reload: () => void;
}

export function createExporterServer(app: RequestListener, webConfig: WebConfigFile | null, log: Logger): ExporterServer {
  const base = { headersTimeout: SERVER_TIMEOUTS.headersMs, requestTimeout: SERVER_TIMEOUTS.requestMs, connectionsCheckingInterval: SERVER_TIMEOUTS.checkEveryMs };
  const secure = webConfig?.current().secureContext;
  const server = secure && webConfig ? createTlsServer(app, webConfig, base) : http.createServer(base, app);
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveMs;
  server.timeout = SERVER_TIMEOUTS.idleSocketMs;
  const reload = () => {
    if (!webConfig) return;
    const result = webConfig.refresh();
    if (result.status === 'reloaded') {
      applyTls(server, webConfig);
      log.info({ file: webConfig.file }, 'web config reloaded');
    } else if (result.status === 'rejected' && result.error) {
      log.error({ file: webConfig.file, err: result.error }, 'web config change rejected; keeping the previous settings');
    }
  };
  // prepended: the TLS server wraps the socket in its own 'connection' listener, which must see the new context
  if (webConfig) server.prependListener('connection', reload);
  return { server, reload };
}

function createTlsServer(app: RequestListener, webConfig: WebConfigFile, base: http.ServerOptions): https.Server {
  // a client that opens the TLS port and never finishes the handshake is cut off like a slow HTTP one
  const server = https.createServer({ ...base, handshakeTimeout: SERVER_TIMEOUTS.headersMs, ...webConfig.current().secureContext }, app);
  applyTls(server, webConfig);
  server.on('secureConnection', (socket: TLSSocket) => enforceClientCert(socket, webConfig.current().config.tls?.clientAuthType ?? 'NoClientCert'));
  // A plain-HTTP request to the TLS port, or a failed client-certificate check: close quietly.
  server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  return server;
}

/** Node's rejectUnauthorized covers only RequireAndVerifyClientCert; the other policies are checked here. */
function applyTls(server: http.Server, webConfig: WebConfigFile): void {
  const { secureContext, config } = webConfig.current();
  if (!(server instanceof https.Server) || !secureContext) return;
  const type = config.tls?.clientAuthType ?? 'NoClientCert';
  server.setSecureContext(secureContext);
  // tls.Server reads these two per new connection, so changing them applies to the next handshake.
  const tlsServer = server as https.Server & { requestCert: boolean; rejectUnauthorized: boolean };
  tlsServer.requestCert = type !== 'NoClientCert';
  tlsServer.rejectUnauthorized = type === 'RequireAndVerifyClientCert';
}

function enforceClientCert(socket: TLSSocket, type: ClientAuthType): void {
  const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
  const refuse =
    (type === 'RequireAnyClientCert' && !presented) || (type === 'VerifyClientCertIfGiven' && presented && !socket.authorized);
  if (refuse) socket.destroy();
}
