import { describe, expect, it } from 'vitest';
import { OutageLog } from '../../src/exporters/otel-outage.js';

function recorder() {
  const lines: { level: 'warn' | 'info'; msg: string; fields: Record<string, unknown> }[] = [];
  return {
    lines,
    log: {
      warn: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'warn', msg, fields }),
      info: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'info', msg, fields }),
    },
  };
}

const FAIL = { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:4318' } as const;
const OK = { ok: true } as const;

describe('OutageLog', () => {
  it('logs nothing while exports succeed', () => {
    const r = recorder();
    const outages = new OutageLog(r.log, 'http://c:4318/v1/metrics');
    for (let i = 0; i < 5; i++) outages.record(OK);
    expect(r.lines).toEqual([]);
    expect(outages.failing).toBe(false);
  });

  it('warns once for the first failure and stays quiet for the rest of the outage', () => {
    const r = recorder();
    const outages = new OutageLog(r.log, 'http://c:4318/v1/metrics');
    for (let i = 0; i < 10; i++) outages.record(FAIL);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({ level: 'warn', fields: { endpoint: 'http://c:4318/v1/metrics', err: FAIL.error } });
    expect(outages.failing).toBe(true);
  });

  it('warns for a collector that is down from the start', () => {
    const r = recorder();
    new OutageLog(r.log, 'e').record(FAIL);
    expect(r.lines.map((l) => l.level)).toEqual(['warn']);
  });

  it('logs recovery once, with the failed exports and the outage length', () => {
    const r = recorder();
    let now = 1_000_000;
    const outages = new OutageLog(r.log, 'e', () => now);
    outages.record(OK);
    outages.record(FAIL);
    now += 30_000;
    outages.record(FAIL);
    outages.record(FAIL);
    now += 15_000;
    outages.record(OK);
    outages.record(OK);
    expect(r.lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
      'warn OTLP export failing; further failures are not logged until it recovers',
      'info OTLP export recovered',
    ]);
    expect(r.lines[1]!.fields).toMatchObject({ failed_exports: 3, outage_seconds: 45 });
    expect(outages.failing).toBe(false);
  });

  it('treats each outage separately', () => {
    const r = recorder();
    const outages = new OutageLog(r.log, 'e');
    for (const outcome of [FAIL, FAIL, OK, OK, FAIL, OK, FAIL, FAIL, FAIL]) outages.record(outcome);
    expect(r.lines.map((l) => l.level)).toEqual(['warn', 'info', 'warn', 'info', 'warn']);
  });
});
