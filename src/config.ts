/**
 * Command-line flags in the conventions of Prometheus exporters (`--web.listen-address=:PORT`).
 * Precedence: flag > default; the OTLP push also reads the standard OTEL_* environment variables
 * (flag > env > default). Every bad value is a ConfigError naming the flag or variable; main()
 * prints it as one line and exits 2.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_GROUP_BY, GROUP_LABELS, type GroupLabel } from './signals/labels.js';
import { SIGNALS } from './signals/index.js';

/** Outside the fully allocated 9100-9999 exporter range of the Prometheus default port allocations. */
export const DEFAULT_PORT = 10411;

export interface Config {
  listenAddress: { host: string; port: number };
  telemetryPath: string;
  webConfigFile: string | null;
  procfs: string;
  rootfs: string;
  scanIntervalMs: number;
  scanTimeoutMs: number;
  fdCacheMaxAgeMs: number;
  listenerPollIntervalMs: number;
  /** Least time between the end of a full scan and a full scan a poll starts early. */
  scanMinIntervalMs: number;
  /** How long a listener stays on /metrics after its last sighting (0: only while open). */
  listenerHoldMs: number;
  containerLabels: boolean;
  deletedTop: number;
  maxSeries: number;
  groupBy: GroupLabel[];
  /** Remote ports named in lsof_tcp_connections (the rest are "other"). */
  watchedRemotePorts: number[];
  /** --watch.path: files and directories whose holders are reported (lsof FILE, lsof +D DIR). */
  watchPaths: string[];
  /** Names of the enabled collectors (signals), in registration order. */
  collectors: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFormat: 'logfmt' | 'json';
  textfile: string | null;
  /** Scrapes rendered at once; Infinity when --web.max-requests=0 (no limit, as in node_exporter). */
  maxConcurrentScrapes: number;
  /** Most HTTP connections held at once, before lowering to fit the descriptor limit (src/http/descriptor-budget.ts). */
  maxConnections: number;
  /** The TLS handshake and the request headers must arrive within this. */
  readHeaderTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  idleTimeoutMs: number;
  /** The page at /ui and the JSON API (--web.ui.enable), and its one-process view (--web.ui.process-view). */
  ui: { enable: boolean; processView: boolean };
  /** prom-client's process_* and nodejs_* metrics about the exporter itself (off: --web.disable-exporter-metrics). */
  exporterMetrics: boolean;
  /** OTLP push, or null when neither a flag nor the OTEL_* environment asks for it. */
  otlp: OtlpConfig | null;
  once: boolean;
  help: boolean;
  version: boolean;
}

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export interface OtlpConfig {
  /** Full URL the metrics are POSTed to (…/v1/metrics). */
  endpoint: string;
  protocol: OtlpProtocol;
  intervalMs: number;
  /** Per-export deadline, never longer than the interval, so exports do not pile up. */
  timeoutMs: number;
}

export class ConfigError extends Error {}

interface FlagSpec {
  default?: string;
  boolean?: true;
  /** One-letter alias (-h). */
  short?: string;
  /** May be given more than once (each value adds one); every other flag takes one value. */
  multiple?: true;
  help: string;
}

/** IRC (6660-6669, 6697 TLS, 7000), Tor (9001 ORPort, 9030 DirPort, 9050/9150 SOCKS), mining pools (3333, 4444, 5555, 7777, 14444, 14433, 45700). */
export const DEFAULT_WATCHED_REMOTE_PORTS = '6660-6669,6697,7000,9001,9030,9050,9150,3333,4444,5555,7777,14433,14444,45700';

/** At most this many ports: each can become a label value. */
const MAX_WATCHED_PORTS = 256;

/** At most this many watched paths: each is a label value, and each is compared with every file link a scan reads (WATCHES_MAX in native/procfs_fast.c). */
export const MAX_WATCH_PATHS = 64;

export const FLAGS: Record<string, FlagSpec> = {
  'web.listen-address': { default: `:${DEFAULT_PORT}`, help: 'Address to listen on for HTTP requests ([host]:port).' },
  'web.telemetry-path': { default: '/metrics', help: 'Path under which to expose metrics.' },
  'web.config.file': { default: '', help: 'Path to a web config file (TLS, basic auth), the format Prometheus exporters share.' },
  'web.max-requests': { default: '4', help: 'Most scrapes served at once; more get 503 (0: no limit).' },
  'web.disable-exporter-metrics': { boolean: true, help: 'Exclude the exporter\'s own process_* and nodejs_* metrics from /metrics.' },
  'web.max-connections': { default: '512', help: 'Most HTTP connections held at once (lowered to the descriptor limit minus 256 kept for scans); at the cap a new connection evicts the oldest one not being answered.' },
  'web.read-header-timeout': { default: '5s', help: 'Time a client has for the TLS handshake and the request headers.' },
  'web.idle-timeout': { default: '5s', help: 'Time an idle keep-alive connection is kept open.' },
  'web.ui.enable': { boolean: true, help: 'Serve a page at /ui (listeners, deleted files, processes) and its JSON API under /api/v1/, behind the same TLS and basic auth as the metrics.' },
  'web.ui.process-view': { boolean: true, help: 'Also serve the one-process view and the open-file search (read live from the procfs; they show file paths). Needs --web.ui.enable; refused (403) on a non-loopback listen address until basic auth is configured.' },
  'path.procfs': { default: '/proc', help: 'procfs mountpoint (the host /proc when run in a container, e.g. /host/proc).' },
  'path.rootfs': { default: '/', help: 'Root of the host filesystem, for /etc/passwd user names.' },
  'scan.interval': { default: '15s', help: 'Time between full scans of the procfs.' },
  'scan.timeout': {
    default: '1m',
    help: 'Longest a scan may run: one still running then (a stat stuck on a hung FUSE or NFS mount) is abandoned, its scan worker replaced, and the file it was stuck on skipped from then on.',
  },
  'scan.fd-cache-max-age': { default: '5m', help: 'Longest a process\'s descriptor table is reused while its fd count is unchanged (0 disables the cache).' },
  'scan.listener-poll-interval': { default: '1s', help: 'Time between polls of the socket tables for new listeners between full scans (0 disables).' },
  'scan.listener-hold-time': {
    default: '35s',
    help: 'How long a listener stays on /metrics after it was last seen open (by a scan or a poll), so one that listens for a second is still scraped; the default covers two scrapes at 15s (0: only while open).',
  },
  'scan.min-interval': { default: '', help: 'Least time from the end of a full scan to a full scan started early by a poll that saw a new listener, so that opening listeners in a loop cannot keep the exporter scanning (default: a fifth of --scan.interval, at least 1s).' },
  'no-container.labels': { boolean: true, help: 'Do not read /proc/PID/cgroup; container_id, container_runtime and pod_uid stay empty.' },
  'deleted.top': { default: '10', help: 'How many of the largest deleted-but-open files get a detail series.' },
  'metrics.max-series': { default: '2000', help: 'Hard cap on series per family; drops are counted in lsof_series_dropped.' },
  'connections.watched-remote-ports': {
    default: DEFAULT_WATCHED_REMOTE_PORTS,
    help: 'Remote ports named in lsof_tcp_connections (others are "other"): ports and ranges, e.g. 6660-6669,6697. Default: IRC, Tor, common mining-pool ports (README "What it detects").',
  },
  'watch.path': {
    multiple: true,
    help: `A file, or a directory meaning everything below it (lsof FILE, lsof +D DIR), whose holders lsof_watched_path_descriptors reports by user and process; at most ${MAX_WATCH_PATHS}. An absolute path as the processes see it (inside a container: its own root); it may not exist yet.`,
  },
  'group.by': { default: DEFAULT_GROUP_BY.join(','), help: `Process labels of the per-group families, from: ${GROUP_LABELS.join(', ')}.` },
  'log.level': { default: 'info', help: 'Only log messages with the given severity or above: debug, info, warn, error.' },
  'log.format': { default: 'logfmt', help: 'Output format of log messages: logfmt or json.' },
  'output.textfile': { default: '', help: 'Also write the metrics to this file after each scan (node_exporter textfile collector).' },
  'otlp.endpoint': { default: '', help: 'Also push the metrics over OTLP/HTTP to this collector (base URL, e.g. http://localhost:4318; /v1/metrics is added when the URL has no path). Overrides OTEL_EXPORTER_OTLP_[METRICS_]ENDPOINT.' },
  'otlp.protocol': { default: '', help: `OTLP protocol: ${OTLP_PROTOCOLS.join(' or ')} (default: OTEL_EXPORTER_OTLP_[METRICS_]PROTOCOL, else http/protobuf).` },
  once: { boolean: true, help: 'Scan once, print the listeners as process/user/address:port (plus netns= and container= outside the host namespace), sorted and unique, and exit.' },
  'collector.disable-defaults': { boolean: true, help: 'Disable every collector that is on by default; enable some with --collector.NAME.' },
  ...collectorFlags(),
  help: { boolean: true, short: 'h', help: 'Show this help and exit.' },
  version: { boolean: true, help: 'Show the version and exit.' },
};

/** --collector.NAME and --no-collector.NAME for every signal, as node_exporter names them. */
function collectorFlags(): Record<string, FlagSpec> {
  const flags: Record<string, FlagSpec> = {};
  for (const s of SIGNALS) {
    const state = s.enabledByDefault ? 'on' : 'off';
    flags[`collector.${s.name}`] = { boolean: true, help: `Enable the ${s.name} collector (default: ${state}). ${s.help}` };
    flags[`no-collector.${s.name}`] = { boolean: true, help: `Disable the ${s.name} collector.` };
  }
  return flags;
}

/** --scan.min-interval, or its default: a fifth of the scan interval, at least 1s. */
function scanMinInterval(value: string, interval: string): number {
  if (value !== '') return parseDuration('scan.min-interval', value, { min: 0 });
  return Math.max(1000, Math.round(parseDuration('scan.interval', interval, { min: 100 }) / 5));
}

function parsePortList(flag: string, value: string): number[] {
  const ports = new Set<number>();
  for (const part of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    const [lo, hi] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (!m || lo < 1 || hi > 65535 || hi < lo) throw new ConfigError(`--${flag}: invalid port or range "${part}" (want e.g. 6660-6669,6697)`);
    for (let p = lo; p <= hi; p++) ports.add(p);
    if (ports.size > MAX_WATCHED_PORTS) throw new ConfigError(`--${flag}: more than ${MAX_WATCHED_PORTS} ports`);
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * --watch.path values, each checked as the kernel writes the link texts they are matched against
 * (an absolute, normalized path): a path in another form would silently never match. A trailing "/"
 * is dropped (a directory named either way is one watch). Control characters are refused: they
 * would be a label value, and a name with a newline is watched through its directory.
 */
export function parseWatchPaths(values: string[], collectorOn: boolean): string[] {
  const paths = values.map(normalizeWatchPath);
  if (paths.length > 0 && !collectorOn) throw new ConfigError('--watch.path: the watched_paths collector is disabled (add --collector.watched_paths)');
  if (paths.length > MAX_WATCH_PATHS) throw new ConfigError(`--watch.path: given ${paths.length} times, at most ${MAX_WATCH_PATHS} paths`);
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) throw new ConfigError(`--watch.path: "${p}" given twice`);
    seen.add(p);
  }
  return paths;
}

function normalizeWatchPath(value: string): string {
  const bad = (why: string) => new ConfigError(`--watch.path: ${why}, got ${JSON.stringify(value)}`);
  if (value === '') throw bad('must not be empty');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) throw bad('must not contain control characters (watch its directory instead)');
  if (!value.startsWith('/')) throw bad('must be an absolute path');
  const path = value.length > 1 ? value.replace(/\/+$/, '') || '/' : value;
  if (path.includes('//') || path.split('/').some((c) => c === '.' || c === '..')) throw bad('must be a normalized path (no //, . or .. components)');
  if (Buffer.byteLength(path) >= 4096) throw bad('longer than PATH_MAX (4095 bytes)');
  return path;
}

function parseCollectors(bool: (name: string) => boolean): string[] {
  const defaults = !bool('collector.disable-defaults');
  return SIGNALS.filter((s) => {
    const on = bool(`collector.${s.name}`);
    const off = bool(`no-collector.${s.name}`);
    if (on && off) throw new ConfigError(`--collector.${s.name} and --no-collector.${s.name}: give one, not both`);
    return on || (!off && defaults && s.enabledByDefault);
  }).map((s) => s.name);
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const values = parseFlagValues(argv);
  const str = (name: string): string => String(values[name] ?? FLAGS[name]!.default ?? '');
  const bool = (name: string): boolean => values[name] === true;
  const list = (name: string): string[] => (values[name] as string[] | undefined) ?? [];
  return {
    listenAddress: parseListenAddress(str('web.listen-address')),
    telemetryPath: parsePath('web.telemetry-path', str('web.telemetry-path')),
    webConfigFile: str('web.config.file') || null,
    procfs: nonEmpty('path.procfs', str('path.procfs')),
    rootfs: nonEmpty('path.rootfs', str('path.rootfs')),
    scanIntervalMs: parseDuration('scan.interval', str('scan.interval'), { min: 100 }),
    scanTimeoutMs: parseDuration('scan.timeout', str('scan.timeout'), { min: 1000 }),
    fdCacheMaxAgeMs: parseDuration('scan.fd-cache-max-age', str('scan.fd-cache-max-age'), { min: 0 }),
    listenerPollIntervalMs: parseDuration('scan.listener-poll-interval', str('scan.listener-poll-interval'), { min: 0 }),
    scanMinIntervalMs: scanMinInterval(str('scan.min-interval'), str('scan.interval')),
    listenerHoldMs: parseDuration('scan.listener-hold-time', str('scan.listener-hold-time'), { min: 0 }),
    containerLabels: !bool('no-container.labels'),
    deletedTop: parseInteger('deleted.top', str('deleted.top'), 0, 10_000),
    maxSeries: parseInteger('metrics.max-series', str('metrics.max-series'), 1, 1_000_000),
    groupBy: parseGroupBy(str('group.by')),
    collectors: parseCollectors(bool),
    watchedRemotePorts: parsePortList('connections.watched-remote-ports', str('connections.watched-remote-ports')),
    watchPaths: parseWatchPaths(list('watch.path'), parseCollectors(bool).includes('watched_paths')),
    logLevel: oneOf('log.level', str('log.level'), ['debug', 'info', 'warn', 'error'] as const),
    logFormat: oneOf('log.format', str('log.format'), ['logfmt', 'json'] as const),
    textfile: str('output.textfile') || null,
    maxConcurrentScrapes: parseInteger('web.max-requests', str('web.max-requests'), 0, 1000) || Infinity,
    exporterMetrics: !bool('web.disable-exporter-metrics'),
    maxConnections: parseInteger('web.max-connections', str('web.max-connections'), 1, 100_000),
    readHeaderTimeoutMs: parseDuration('web.read-header-timeout', str('web.read-header-timeout'), { min: 100 }),
    idleTimeoutMs: parseDuration('web.idle-timeout', str('web.idle-timeout'), { min: 100 }),
    ui: parseUi(bool('web.ui.enable'), bool('web.ui.process-view')),
    otlp: parseOtlp(str('otlp.endpoint'), str('otlp.protocol'), env),
    once: bool('once'),
    help: bool('help'),
    version: bool('version'),
  };
}

function parseFlagValues(argv: string[]): Record<string, string | boolean | string[] | undefined> {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map(([name, spec]) => [
      name,
      { type: spec.boolean ? ('boolean' as const) : ('string' as const), ...(spec.short && { short: spec.short }), ...(spec.multiple && { multiple: true }) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    throw new ConfigError(flagErrorLine((err as Error).message));
  }
  rejectRepeated(parsed.tokens.flatMap((t) => (t.kind === 'option' && !FLAGS[t.name]?.multiple ? [t.name] : [])));
  return parsed.values as Record<string, string | boolean | string[]>;
}

/** Every flag but the repeatable ones takes one value: a second one is an error, never "the last one wins" (as kingpin does). */
function rejectRepeated(names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new ConfigError(`--${name}: given more than once (each flag takes one value)`);
    seen.add(name);
  }
}

/** node's parseArgs messages are long and mention internals; keep the flag and the problem. */
function flagErrorLine(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]} (see --help)`;
  const missing = /Option '(?:-\w, )?([^ ']+)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `${missing[1]}: value missing`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument ${positional[1]} (flags take the form --name=value)`;
  return message.split('\n')[0]!;
}

function parseUi(enable: boolean, processView: boolean): Config['ui'] {
  if (processView && !enable) throw new ConfigError('--web.ui.process-view: needs --web.ui.enable');
  return { enable, processView };
}

function nonEmpty(flag: string, value: string): string {
  if (value === '') throw new ConfigError(`--${flag}: must not be empty`);
  return value;
}

export function parseListenAddress(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`--web.listen-address: invalid address "${value}" (want [host]:port, e.g. :${DEFAULT_PORT})`);
  return { host: m[1] ?? m[2] ?? '', port };
}

function parsePath(flag: string, value: string): string {
  if (!value.startsWith('/') || value === '/') throw new ConfigError(`--${flag}: must start with / and not be / itself, got "${value}"`);
  // /healthz is answered without credentials: the metrics must never be served there
  if (value === '/healthz') throw new ConfigError(`--${flag}: /healthz is the health route, pick another path`);
  return value;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Prometheus-style durations: 500ms, 15s, 1m, 1h30m; a bare 0 is allowed. */
export function parseDuration(flag: string, value: string, { min }: { min: number }): number {
  let ms = 0;
  if (value !== '0') {
    const parts = value.match(/(\d+)(ms|s|m|h)/g);
    if (!parts || parts.join('') !== value) throw new ConfigError(`--${flag}: invalid duration "${value}" (want e.g. 15s, 1m, 500ms)`);
    for (const part of parts) {
      const [, n, unit] = /(\d+)(ms|s|m|h)/.exec(part)!;
      ms += Number(n) * DURATION_UNITS[unit!]!;
    }
  }
  if (ms < min || (ms === 0 && min > 0)) throw new ConfigError(`--${flag}: must be at least ${min}ms, got "${value}"`);
  return ms;
}

function parseInteger(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ConfigError(`--${flag}: want a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(`--${flag}: want one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function parseGroupBy(value: string): GroupLabel[] {
  const labels = value.split(',').map((s) => s.trim());
  for (const l of labels) {
    if (!(GROUP_LABELS as readonly string[]).includes(l)) throw new ConfigError(`--group.by: unknown label "${l}" (want some of ${GROUP_LABELS.join(', ')})`);
  }
  if (new Set(labels).size !== labels.length) throw new ConfigError(`--group.by: label listed twice in "${value}"`);
  return labels as GroupLabel[];
}

const OTLP_DEFAULT_INTERVAL_MS = 60_000;
const OTLP_DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The OTLP push: on when --otlp.endpoint or an OTEL_EXPORTER_OTLP_*ENDPOINT variable is set (and
 * OTEL_SDK_DISABLED is not "true"). Precedence flag > OTEL_EXPORTER_OTLP_METRICS_* > OTEL_EXPORTER_OTLP_*
 * > default, as in the OpenTelemetry SDK environment specification.
 */
export function parseOtlp(flagEndpoint: string, flagProtocol: string, env: NodeJS.ProcessEnv): OtlpConfig | null {
  const endpoint = otlpEndpoint(flagEndpoint, env);
  if (endpoint === null) return null;
  const protocol = flagProtocol ? { name: '--otlp.protocol', value: flagProtocol } : otlpEnv(env, 'PROTOCOL');
  const protocolValue = protocol.value || 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocolValue)) {
    throw new ConfigError(`${protocol.name}: unsupported protocol "${protocolValue}" (want ${OTLP_PROTOCOLS.join(' or ')}; grpc is not supported)`);
  }
  const intervalMs = envMillis({ name: 'OTEL_METRIC_EXPORT_INTERVAL', value: env.OTEL_METRIC_EXPORT_INTERVAL?.trim() ?? '' }, OTLP_DEFAULT_INTERVAL_MS);
  const timeoutMs = Math.min(intervalMs, envMillis(otlpEnv(env, 'TIMEOUT'), OTLP_DEFAULT_TIMEOUT_MS));
  return { endpoint, protocol: protocolValue as OtlpProtocol, intervalMs, timeoutMs };
}

/** OTEL_EXPORTER_OTLP_METRICS_<NAME> when set, else OTEL_EXPORTER_OTLP_<NAME>; with the name used. */
function otlpEnv(env: NodeJS.ProcessEnv, name: string): { name: string; value: string } {
  const signal = `OTEL_EXPORTER_OTLP_METRICS_${name}`;
  if (env[signal]?.trim()) return { name: signal, value: env[signal].trim() };
  return { name: `OTEL_EXPORTER_OTLP_${name}`, value: env[`OTEL_EXPORTER_OTLP_${name}`]?.trim() ?? '' };
}

function otlpEndpoint(flagEndpoint: string, env: NodeJS.ProcessEnv): string | null {
  if (flagEndpoint) return withMetricsPath('--otlp.endpoint', flagEndpoint, 'if-no-path');
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const v = otlpEnv(env, 'ENDPOINT');
  if (!v.value) return null;
  return withMetricsPath(v.name, v.value, v.name === 'OTEL_EXPORTER_OTLP_ENDPOINT' ? 'always' : 'never');
}

/** The spec: a per-signal endpoint is used as is, the base endpoint gets v1/metrics appended. */
function withMetricsPath(source: string, value: string, append: 'always' | 'never' | 'if-no-path'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${source}: invalid URL "${value}" (want e.g. http://localhost:4318)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${source}: want an http:// or https:// URL, got "${value}"`);
  if (append === 'never' || (append === 'if-no-path' && url.pathname !== '/')) return url.href;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/metrics`;
  return url.href;
}

function envMillis(v: { name: string; value: string }, fallback: number): number {
  if (!v.value) return fallback;
  if (!/^\d+$/.test(v.value) || Number(v.value) < 1) throw new ConfigError(`${v.name}: want a whole number of milliseconds above 0, got "${v.value}"`);
  return Number(v.value);
}

export function helpText(): string {
  const lines = ['usage: lsof-exporter [flags]', '', 'Flags:'];
  for (const [name, spec] of Object.entries(FLAGS)) {
    const def = spec.boolean ? '' : spec.multiple ? ' (repeatable)' : ` (default: "${spec.default}")`;
    const short = spec.short ? `-${spec.short}, ` : '';
    lines.push(`  ${short}--${name}${spec.boolean ? '' : '=VALUE'}`, `      ${spec.help}${def}`);
  }
  return lines.join('\n');
}
