/**
 * The listening side: plain HTTP, or HTTPS when the web config file has a tls_server_config. The app
 * stays the same either way. Slow clients are cut off (TLS handshake and headers within
 * --web.read-header-timeout, a whole request within 30s, idle keep-alive after --web.idle-timeout),
 * checked every second rather than node's default 30s; at most --web.max-connections connections are
 * held (connection-guard.ts), so clients can never take the descriptors a scan needs.
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
import { hasAllowedSan } from './client-sans.js';
import { guardConnections, type ConnectionGuard, type DropReason } from './connection-guard.js';
import type { WebConfigFile } from './web-config-file.js';

/** A whole request (headers and body) must arrive within this; a response must be taken within it too. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Request headers above this are refused (431): a scrape's are a few hundred bytes; node's default is 16 KiB. */
export const MAX_HEADER_BYTES = 8192;

export interface ServerOptions {
  maxConnections: number;
  readHeaderTimeoutMs: number;
  idleTimeoutMs: number;
  onConnectionDropped?: (reason: DropReason) => void;
  onWebConfigReload?: (result: 'success' | 'failure') => void;
}

export interface ExporterServer {
  server: http.Server;
  connections: ConnectionGuard;
  /** Re-read the web config file now (SIGHUP). */
  reload: () => void;
}

export function createExporterServer(app: RequestListener, webConfig: WebConfigFile | null, log: Logger, opts: ServerOptions): ExporterServer {
  const base: http.ServerOptions = {
    headersTimeout: opts.readHeaderTimeoutMs,
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, opts.readHeaderTimeoutMs),
    connectionsCheckingInterval: 1000,
    maxHeaderSize: MAX_HEADER_BYTES,
  };
  const secure = webConfig?.current().secureContext;
  const server = secure && webConfig ? createTlsServer(app, webConfig, base, opts.readHeaderTimeoutMs) : http.createServer(base, app);
  server.keepAliveTimeout = opts.idleTimeoutMs;
  server.timeout = REQUEST_TIMEOUT_MS;
  server.on('clientError', answerClientError);
  const connections = guardConnections(server, opts.maxConnections, (reason) => opts.onConnectionDropped?.(reason));
  const reload = () => {
    if (!webConfig) return;
    const result = webConfig.refresh();
    if (result.status === 'reloaded') {
      applyTls(server, webConfig);
      opts.onWebConfigReload?.('success');
      log.info({ file: webConfig.file }, 'web config reloaded');
    } else if (result.status === 'rejected') {
      opts.onWebConfigReload?.('failure');
      log.error({ file: webConfig.file, err: result.error }, 'web config change rejected; keeping the previous settings');
    }
  };
  // prepended: the TLS server wraps the socket in its own 'connection' listener, which must see the new context
  if (webConfig) server.prependListener('connection', reload);
  return { server, connections, reload };
}

/**
 * Node answers a malformed, oversized or timed-out request itself, without the headers every other
 * answer carries; this answers the same statuses with them (and nothing else).
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

function createTlsServer(app: RequestListener, webConfig: WebConfigFile, base: http.ServerOptions, handshakeTimeout: number): https.Server {
  // a client that opens the TLS port and never finishes the handshake is cut off like a slow HTTP one
  const server = https.createServer({ ...base, handshakeTimeout, ...webConfig.current().secureContext }, app);
  applyTls(server, webConfig);
  server.on('secureConnection', (socket: TLSSocket) => enforceClientCert(socket, webConfig));
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

function enforceClientCert(socket: TLSSocket, webConfig: WebConfigFile): void {
  const tlsConfig = webConfig.current().config.tls;
  const type = tlsConfig?.clientAuthType ?? 'NoClientCert';
  const peer = socket.getPeerX509Certificate();
  const refuse =
    (type === 'RequireAnyClientCert' && !peer) ||
    (type === 'VerifyClientCertIfGiven' && peer !== undefined && !socket.authorized) ||
    (peer !== undefined && socket.authorized && (tlsConfig?.clientAllowedSans.length ?? 0) > 0 && !hasAllowedSan(peer, tlsConfig!.clientAllowedSans));
  if (refuse) socket.destroy();
}
