import { describe, expect, it } from 'vitest';
import { SIGNALS } from '../../src/signals/index.js';
import { ConfigError, DEFAULT_PORT, parseConfig, parseDuration, parseListenAddress } from '../../src/config.js';

describe('collector flags', () => {
  it('enables every default collector, in registration order', () => {
    expect(parseConfig([]).collectors).toEqual(SIGNALS.filter((s) => s.enabledByDefault).map((s) => s.name));
  });

  it('turns one off with --no-collector.NAME and only those asked for on after --collector.disable-defaults', () => {
    expect(parseConfig(['--no-collector.deleted_files']).collectors).not.toContain('deleted_files');
    expect(parseConfig(['--collector.disable-defaults', '--collector.listeners']).collectors).toEqual(['listeners']);
  });

  it('refuses a collector turned both on and off, and an unknown one, naming the flag', () => {
    expect(() => parseConfig(['--collector.listeners', '--no-collector.listeners'])).toThrow(/--collector.listeners and --no-collector.listeners/);
    expect(() => parseConfig(['--collector.nosuch'])).toThrow(/unknown flag --collector.nosuch/);
  });
});

describe('parseConfig', () => {
  it('has the documented defaults', () => {
    const c = parseConfig([]);
    expect(c).toMatchObject({
      listenAddress: { host: '', port: DEFAULT_PORT },
      telemetryPath: '/metrics',
      procfs: '/proc',
      rootfs: '/',
      scanIntervalMs: 15_000,
      fdCacheMaxAgeMs: 300_000,
      listenerPollIntervalMs: 1000,
      containerLabels: true,
      deletedTop: 10,
      maxSeries: 2000,
      groupBy: ['user', 'process'],
      logLevel: 'info',
      logFormat: 'logfmt',
      once: false,
    });
  });

  it('has the documented HTTP limits', () => {
    expect(parseConfig([])).toMatchObject({ maxConnections: 512, readHeaderTimeoutMs: 5000, idleTimeoutMs: 5000 });
    expect(parseConfig(['--web.max-connections=64', '--web.read-header-timeout=2s', '--web.idle-timeout=30s'])).toMatchObject({ maxConnections: 64, readHeaderTimeoutMs: 2000, idleTimeoutMs: 30_000 });
  });

  it('takes --name=value and --name value', () => {
    const c = parseConfig(['--scan.interval=1m30s', '--path.procfs', '/host/proc', '--group.by=user,process,executable', '--no-container.labels']);
    expect(c.scanIntervalMs).toBe(90_000);
    expect(c.procfs).toBe('/host/proc');
    expect(c.groupBy).toEqual(['user', 'process', 'executable']);
    expect(c.containerLabels).toBe(false);
  });

  it.each([
    [['--bogus'], /^unknown flag --bogus/],
    [['--scan.interval=abc'], /^--scan\.interval: invalid duration "abc"/],
    [['--scan.interval=0'], /^--scan\.interval: must be at least/],
    [['--scan.interval=10'], /^--scan\.interval: invalid duration/],
    [['--web.listen-address=10411'], /^--web\.listen-address: invalid address/],
    [['--web.listen-address=:99999'], /^--web\.listen-address: invalid address/],
    [['--web.telemetry-path=metrics'], /^--web\.telemetry-path: must start with \//],
    [['--web.telemetry-path=/healthz'], /^--web\.telemetry-path: \/healthz is the health route/],
    [['--web.max-connections=0'], /^--web\.max-connections: want a whole number from 1/],
    [['--web.read-header-timeout=10'], /^--web\.read-header-timeout: invalid duration/],
    [['--deleted.top=-1'], /^--deleted\.top: want a whole number/],
    [['--metrics.max-series=0'], /^--metrics\.max-series: want a whole number/],
    [['--group.by=user,cmdline'], /^--group\.by: unknown label "cmdline"/],
    [['--group.by=user,user'], /^--group\.by: label listed twice/],
    [['--log.level=loud'], /^--log\.level: want one of debug, info, warn, error/],
    [['--log.format=xml'], /^--log\.format: want one of logfmt, json/],
    [['--path.procfs='], /^--path\.procfs: must not be empty/],
    [['--scan.interval'], /^scan\.interval: value missing|^--scan\.interval/],
    [['stray'], /^unexpected argument stray/],
    [['--scan.interval=1s', '--scan.interval=2s'], /^--scan\.interval: given more than once/],
    [['--web.listen-address', ':1', '--web.listen-address=:2'], /^--web\.listen-address: given more than once/],
    [['--once', '--once'], /^--once: given more than once/],
    [['-h', '--help'], /^--help: given more than once/],
    [['--web.max-requests=-1'], /^--web\.max-requests: want a whole number from 0 to 1000/],
  ])('rejects %j with one line naming the flag', (argv, message) => {
    let err: unknown;
    try {
      parseConfig(argv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('exporter conventions', () => {
  it('takes -h for --help', () => {
    expect(parseConfig(['-h']).help).toBe(true);
    expect(parseConfig([]).help).toBe(false);
  });

  it('reads --web.max-requests=0 as no limit', () => {
    expect(parseConfig(['--web.max-requests=0']).maxConcurrentScrapes).toBe(Infinity);
    expect(parseConfig([]).maxConcurrentScrapes).toBe(4);
  });

  it('keeps the exporter\'s own metrics unless --web.disable-exporter-metrics', () => {
    expect(parseConfig([]).exporterMetrics).toBe(true);
    expect(parseConfig(['--web.disable-exporter-metrics']).exporterMetrics).toBe(false);
  });
});

describe('parseListenAddress', () => {
  it.each([
    [':10411', { host: '', port: 10411 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('%s', (value, expected) => {
    expect(parseListenAddress(value)).toEqual(expected);
  });
});

describe('parseDuration', () => {
  it('reads Prometheus-style durations', () => {
    expect(parseDuration('x', '500ms', { min: 0 })).toBe(500);
    expect(parseDuration('x', '1h2m3s', { min: 0 })).toBe(3_723_000);
    expect(parseDuration('x', '0', { min: 0 })).toBe(0);
  });
});
