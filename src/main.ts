#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=10 --optimize-for-size --v8-pool-size=1 --no-maglev
/**
 * Composition only: flags -> logger -> scanner worker -> registry (and OTLP push) -> HTTP -> OS signals.
 */
import type { AddressInfo } from 'node:net';
import { ConfigError, helpText, parseConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createExposition } from './exporters/prometheus.js';
import { writeTextfile } from './exporters/textfile.js';
import { createApp, OPEN_PATHS } from './http/app.js';
import { createBasicAuth } from './http/basic-auth.js';
import { BcryptPool } from './http/bcrypt-pool.js';
import { connectionCap, NON_CONNECTION_DESCRIPTORS, readOpenFilesLimit } from './http/descriptor-budget.js';
import { createHttpMetrics, withHttpMetrics } from './http/http-metrics.js';
import { createExporterServer, type ExporterServer } from './http/server.js';
import { WebConfigFile } from './http/web-config-file.js';
import { WebConfigError } from './http/web-config.js';
import { warnOnceWhenHidepid, warnOnceWhenUninspectable } from './privileges.js';
import { procfsProblem } from './procfs/validate-root.js';
import { BackgroundScanner } from './worker/background-scanner.js';
import type { WorkerConfig } from './worker/messages.js';
import { VERSION } from './version.js';
import { loadNative } from './procfs/native.js';
import { signalsNamed } from './signals/index.js';
import { UI_MAX_ROWS } from './api/ui-snapshot.js';
import { logWatchPathProblems } from './watch-path-check.js';

function fail(message: string, code: number): never {
  process.stderr.write(`lsof-exporter: ${message}\n`);
  process.exit(code);
}

/** Which descriptor reader the scans use; a missing addon is a warning (same answers, more CPU). */
function logScanPath(log: Logger): void {
  const { native, reason } = loadNative();
  if (native) log.info('scanning descriptors with the native fast path');
  else if (process.env.LSOF_EXPORTER_NATIVE === '0') log.info({ reason }, 'native fast path turned off; scanning with the TypeScript path');
  else log.warn({ reason }, 'native fast path unavailable; scanning with the TypeScript path (same answers, about 1.6x the CPU; README "Cost")');
}

function workerConfig(cfg: Config): WorkerConfig {
  return {
    procfs: cfg.procfs,
    rootfs: cfg.rootfs,
    scanIntervalMs: cfg.scanIntervalMs,
    listenerPollIntervalMs: cfg.listenerPollIntervalMs,
    scanMinIntervalMs: cfg.scanMinIntervalMs,
    listenerHoldMs: cfg.listenerHoldMs,
    scanner: { fdMaxAgeMs: cfg.fdCacheMaxAgeMs, limitMaxAgeMs: 60_000, containers: cfg.containerLabels },
    model: { groupBy: cfg.groupBy, maxSeries: cfg.maxSeries, deletedTop: cfg.deletedTop, watchedRemotePorts: cfg.watchedRemotePorts },
    collectors: cfg.collectors,
    watchPaths: cfg.watchPaths,
    ...(cfg.ui.enable && { ui: { maxRows: UI_MAX_ROWS, fileSearch: cfg.ui.processView } }),
    scanTimeoutMs: cfg.scanTimeoutMs,
  };
}

/**
 * The scan code and the page's are imported only where they run (--once, --web.ui.enable): the
 * exporter's main thread never scans, and every module it loads stays in its heap for good.
 */
async function runOnce(cfg: Config): Promise<void> {
  const [{ ScanLoop }, { listenerLines }] = await Promise.all([import('./worker/scan-loop.js'), import('./once.js')]);
  const loop = new ScanLoop(workerConfig(cfg), () => {});
  const { model } = loop.scanOnce();
  for (const line of listenerLines(model)) process.stdout.write(`${line}\n`);
  for (const [collector, h] of Object.entries(model.health)) if (!h.success) process.stderr.write(`lsof-exporter: collector ${collector} failed: ${h.error}\n`);
}

/** Read at start so a malformed file is one line and exit 2, before anything listens. */
function openWebConfig(file: string | null): WebConfigFile | null {
  if (!file) return null;
  try {
    return new WebConfigFile(file);
  } catch (err) {
    if (err instanceof WebConfigError) fail(`--web.config.file=${file}: ${err.message}`, 2);
    throw err;
  }
}

async function serve(cfg: Config, log: Logger): Promise<void> {
  const webConfig = openWebConfig(cfg.webConfigFile);
  const scanner = new BackgroundScanner(workerConfig(cfg), log);
  scanner.onSnapshot(warnOnceWhenUninspectable(log));
  scanner.onSnapshot(warnOnceWhenHidepid(log));
  const signals = signalsNamed(cfg.collectors);
  const registry = createExposition(() => scanner.current(), { signals, groupBy: cfg.groupBy, runtimeMetrics: cfg.exporterMetrics });
  scanner.onSnapshot(() => setImmediate(() => registry.prerender()));
  if (cfg.textfile) {
    const file = cfg.textfile;
    // no process_*/nodejs_* runtime families: node_exporter exposes its own process_* and would collide
    const textRegistry = createExposition(() => scanner.current(), { signals, groupBy: cfg.groupBy, runtimeMetrics: false });
    scanner.onSnapshot(() => {
      writeTextfile(file, textRegistry).catch((err: Error) => log.warn({ err: err.message, file }, 'cannot write textfile'));
    });
  }
  // Loaded only when asked for, so an exporter that only serves /metrics never loads the SDK.
  const otlp = cfg.otlp ? (await import('./exporters/otel.js')).startOtlpPush(() => scanner.current(), cfg.otlp, { maxSeries: cfg.maxSeries, signals }, log) : null;
  if (cfg.otlp) log.info({ endpoint: cfg.otlp.endpoint, protocol: cfg.otlp.protocol, interval_ms: cfg.otlp.intervalMs }, 'pushing metrics over OTLP');
  const nofile = readOpenFilesLimit();
  if (nofile.error) log.warn({ err: nofile.error }, 'cannot read the descriptor limit; --web.max-connections is used as it is');
  const maxConnections = connectionCap(cfg.maxConnections, nofile.limit);
  const bcrypt = new BcryptPool((niceError) => {
    if (niceError) log.info({ err: niceError }, 'bcrypt thread runs at normal priority (could not lower it)');
  });
  let exporterServer: ExporterServer | undefined;
  const httpMetrics = createHttpMetrics({ openConnections: () => exporterServer?.connections.open() ?? 0, maxConnections, bcryptQueued: () => bcrypt.size() });
  const ui = cfg.ui.enable
    ? (await import('./http/ui/setup.js')).setupUi({ procfs: cfg.procfs, rootfs: cfg.rootfs, listenHost: cfg.listenAddress.host, processView: cfg.ui.processView, authConfigured: () => (webConfig?.current().config.basicAuthUsers.size ?? 0) > 0, view: () => scanner.current(), log })
    : null;
  if (ui) scanner.onSnapshot(ui.onSnapshot);
  const app = createApp({
    telemetryPath: cfg.telemetryPath,
    registry: withHttpMetrics(registry, httpMetrics),
    view: () => scanner.current(),
    healthMaxAgeMs: Math.max(3 * cfg.scanIntervalMs, 30_000),
    maxConcurrentScrapes: cfg.maxConcurrentScrapes,
    ...(ui && { ui: ui.router }),
    ...(webConfig && {
      authenticate: createBasicAuth({ users: () => webConfig.current().config.basicAuthUsers, pool: bcrypt, onCheck: httpMetrics.bcryptChecked, openPaths: OPEN_PATHS }),
      headers: () => webConfig.current().config.headers,
    }),
  });
  exporterServer = createExporterServer(app, webConfig, log, {
    maxConnections,
    readHeaderTimeoutMs: cfg.readHeaderTimeoutMs,
    idleTimeoutMs: cfg.idleTimeoutMs,
    onConnectionDropped: httpMetrics.connectionDropped,
    onWebConfigReload: httpMetrics.webConfigReloaded,
  });
  const { server, reload } = exporterServer;
  // before listening: a SIGHUP sent as soon as the port answers must reload, not kill (its default)
  process.on('SIGHUP', reload);
  await listen(server, cfg);
  const addr = server.address() as AddressInfo;
  const tls = webConfig?.current().secureContext ? 'true' : 'false';
  log.info({ address: `${addr.address}:${addr.port}`, tls, procfs: cfg.procfs, interval_ms: cfg.scanIntervalMs, version: VERSION }, 'listening');
  log.info({ max_connections: maxConnections, open_files_limit: nofile.limit, kept_for_scans: NON_CONNECTION_DESCRIPTORS }, 'connection cap');
  logScanPath(log);
  logWatchPathProblems(cfg.watchPaths, cfg.rootfs, log);
  scanner.start();
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close();
    server.closeAllConnections();
    // A scan blocked in a read cannot be interrupted; do not let it hold the exit hostage.
    const deadline = new Promise((r) => setTimeout(r, 2000).unref());
    void Promise.race([Promise.all([scanner.stop(), bcrypt.close(), otlp?.shutdown().catch(() => {})]), deadline]).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

function listen(server: ExporterServer['server'], cfg: Config): Promise<void> {
  const { host, port } = cfg.listenAddress;
  return new Promise((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE') fail(`cannot listen on ${where}: address already in use (--web.listen-address)`, 1);
      if (err.code === 'EACCES') fail(`cannot listen on ${where}: permission denied (--web.listen-address)`, 1);
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') fail(`cannot listen on ${where}: no such local address (--web.listen-address)`, 1);
      fail(`cannot listen on ${where}: ${err.message}`, 1);
    });
    server.listen({ host: host || undefined, port }, () => resolve());
  });
}

async function main(): Promise<void> {
  let cfg: Config;
  try {
    cfg = parseConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
  if (cfg.help) return void process.stdout.write(`${helpText()}\n`);
  if (cfg.version) return void process.stdout.write(`lsof-exporter ${VERSION} (node ${process.version})\n`);
  const problem = procfsProblem(cfg.procfs, process.env.LSOF_EXPORTER_ALLOW_FIXTURE_PROCFS === '1');
  if (problem) fail(`--path.procfs: ${problem}`, 2);
  if (cfg.once) return runOnce(cfg);
  await serve(cfg, createLogger(cfg.logLevel, cfg.logFormat));
}

main().catch((err: Error) => fail(err.message, 1));
