/**
 * Structured logs with pino, written to stderr. `--log.format=logfmt` (the Prometheus exporters'
 * default) re-renders each pino JSON line as `ts=... level=... msg=... key=value`.
 */
import { Writable } from 'node:stream';
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, format: 'logfmt' | 'json', out: NodeJS.WritableStream = process.stderr): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return pino(options, format === 'json' ? out : logfmtStream(out));
}

function logfmtStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(toLogfmt(line) + '\n');
      done();
    },
  });
}

export function toLogfmt(jsonLine: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const { time, level, msg, ...rest } = rec;
  const pairs = Object.entries({ ts: time, level, msg, ...rest }).filter(([, v]) => v !== undefined);
  return pairs.map(([k, v]) => `${k}=${logfmtValue(v)}`).join(' ');
}

function logfmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[^\s"=\\]+$/.test(s) ? s : JSON.stringify(s);
}
