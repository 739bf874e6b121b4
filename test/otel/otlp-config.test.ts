/** When the OTLP push is on, where it goes and how: flag > OTEL_* environment > default. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { MAIN_JS } from '../support/exporter-process.js';

const otlp = (argv: string[], env: NodeJS.ProcessEnv) => parseConfig(argv, env).otlp;

describe('OTLP configuration', () => {
  it('is off without a flag or an endpoint variable', () => {
    expect(otlp([], {})).toBeNull();
    expect(otlp([], { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_METRIC_EXPORT_INTERVAL: '5000' })).toBeNull();
  });

  it('appends /v1/metrics to OTEL_EXPORTER_OTLP_ENDPOINT and has the SDK defaults', () => {
    expect(otlp([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      endpoint: 'http://collector:4318/v1/metrics',
      protocol: 'http/protobuf',
      intervalMs: 60_000,
      timeoutMs: 10_000,
    });
    expect(otlp([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp/' })?.endpoint).toBe('https://gw.example/otlp/v1/metrics');
  });

  it('uses OTEL_EXPORTER_OTLP_METRICS_ENDPOINT as is, before the base endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:9999/custom' };
    expect(otlp([], env)?.endpoint).toBe('http://metrics:9999/custom');
  });

  it('prefers the flags to the environment', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' };
    expect(otlp(['--otlp.endpoint=http://flag:4318', '--otlp.protocol=http/json'], env)).toMatchObject({ endpoint: 'http://flag:4318/v1/metrics', protocol: 'http/json' });
    expect(otlp(['--otlp.endpoint=http://flag:4318/v1/metrics'], {})?.endpoint).toBe('http://flag:4318/v1/metrics');
  });

  it('takes the per-signal protocol before the general one', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' };
    expect(otlp([], env)?.protocol).toBe('http/json');
  });

  it('reads the interval and clamps the export timeout to it', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_EXPORTER_OTLP_TIMEOUT: '30000' };
    expect(otlp([], env)).toMatchObject({ intervalMs: 1000, timeoutMs: 1000 });
    expect(otlp([], { ...env, OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '250' })).toMatchObject({ timeoutMs: 250 });
  });

  it('stays off with OTEL_SDK_DISABLED=true unless a flag asks', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' };
    expect(otlp([], env)).toBeNull();
    expect(otlp(['--otlp.endpoint=http://c:4318'], env)).not.toBeNull();
  });

  it.each([
    [['--otlp.endpoint=http://c:4318', '--otlp.protocol=grpc'], {}, /^--otlp\.protocol: unsupported protocol "grpc"/],
    [[], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /^OTEL_EXPORTER_OTLP_PROTOCOL: unsupported protocol "grpc"/],
    [['--otlp.endpoint=collector:4318'], {}, /^--otlp\.endpoint: want an http:\/\/ or https:\/\/ URL/],
    [['--otlp.endpoint=not a url'], {}, /^--otlp\.endpoint: invalid URL/],
    [[], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRIC_EXPORT_INTERVAL: '10s' }, /^OTEL_METRIC_EXPORT_INTERVAL: want a whole number of milliseconds/],
  ])('rejects %j %j', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });

  it('exits 2 with one line when the environment asks for grpc', () => {
    const r = spawnSync(process.execPath, [MAIN_JS], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lsof-exporter: OTEL_EXPORTER_OTLP_PROTOCOL: unsupported protocol "grpc" \(want http\/protobuf or http\/json; grpc is not supported\)\n$/);
  });
});
