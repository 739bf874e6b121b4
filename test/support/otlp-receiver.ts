/**
 * A real OTLP/HTTP metrics receiver on loopback for tests: records each POST to /v1/metrics and
 * decodes it, protobuf with the generated message types that @opentelemetry/otlp-transformer ships
 * (the same package the exporter encodes with), JSON as the OTLP JSON encoding.
 *
 * It can also misbehave the ways a collector does: answer 500 or 400, accept and never answer
 * ("slow"), or reset the connection; "down" is modelled by closing the listening socket.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type net from 'node:net';

const require = createRequire(import.meta.url);

interface ProtoMessage {
  decode(buf: Uint8Array): unknown;
  toObject(msg: unknown, opts: Record<string, unknown>): unknown;
}
const otlpRoot = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: ProtoMessage } } } } };
};
const ExportMetricsServiceRequest = otlpRoot.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

export type AttrValue = string | number | boolean;

export interface OtlpPoint {
  metric: string;
  unit: string;
  kind: 'gauge' | 'sum';
  monotonic: boolean;
  attributes: Record<string, AttrValue>;
  value: number;
}

export interface OtlpExport {
  contentType: string;
  headers: http.IncomingHttpHeaders;
  resource: Record<string, AttrValue>;
  points: OtlpPoint[];
}

export type ReceiverMode = 'ok' | 'status-500' | 'status-400' | 'slow' | 'reset';

export interface OtlpReceiver {
  port: number;
  exports: OtlpExport[];
  /** Requests that reached the receiver, answered or not. */
  requests: () => number;
  /** Requests left unanswered ("slow") whose connection the client has not yet closed. */
  hangingRequests: () => number;
  setMode: (mode: ReceiverMode) => void;
  /** Close the listening socket (connections are refused) / listen again on the same port. */
  goDown: () => Promise<void>;
  comeBack: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  let mode: ReceiverMode = 'ok';
  let requests = 0;
  const exports: OtlpExport[] = [];
  const sockets = new Set<net.Socket>();
  const hanging = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests++;
    if (mode === 'reset') return void req.socket.destroy();
    if (mode === 'slow') {
      // Read nothing, answer nothing: the client's deadline must end it.
      hanging.add(req.socket);
      req.socket.once('close', () => hanging.delete(req.socket));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (mode === 'status-500' || mode === 'status-400') {
        res.writeHead(mode === 'status-500' ? 500 : 400, { 'content-type': 'text/plain' }).end('no');
        return;
      }
      const contentType = req.headers['content-type'] ?? '';
      exports.push({ contentType, headers: req.headers, ...decodeRequest(contentType, Buffer.concat(chunks)) });
      res.writeHead(200, { 'content-type': contentType }).end(contentType.includes('json') ? '{}' : Buffer.alloc(0));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    exports,
    requests: () => requests,
    hangingRequests: () => hanging.size,
    setMode: (m) => (mode = m),
    goDown: close,
    comeBack: () => listen(port),
    stop: () => (server.listening ? close() : Promise.resolve()),
  };
}

/** Both encodings decoded to plain objects of the same (camelCase OTLP/JSON) shape. */
function decodeRequest(contentType: string, body: Buffer): Pick<OtlpExport, 'resource' | 'points'> {
  const request = (
    contentType.includes('json')
      ? JSON.parse(body.toString('utf8'))
      : ExportMetricsServiceRequest.toObject(ExportMetricsServiceRequest.decode(body), { longs: Number, bytes: String, defaults: false, arrays: true })
  ) as RawRequest;
  const resourceMetrics = request.resourceMetrics ?? [];
  if (resourceMetrics.length !== 1) throw new Error(`expected one ResourceMetrics, got ${resourceMetrics.length}`);
  const rm = resourceMetrics[0]!;
  const points: OtlpPoint[] = [];
  for (const sm of rm.scopeMetrics ?? []) {
    for (const m of sm.metrics ?? []) {
      const data = m.gauge ?? m.sum;
      for (const dp of data?.dataPoints ?? []) {
        points.push({
          metric: m.name,
          unit: m.unit ?? '',
          kind: m.gauge ? 'gauge' : 'sum',
          monotonic: m.sum?.isMonotonic === true,
          attributes: attributes(dp.attributes),
          value: Number(dp.asDouble ?? dp.asInt),
        });
      }
    }
  }
  return { resource: attributes(rm.resource?.attributes), points };
}

interface RawKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
}
interface RawRequest {
  resourceMetrics?: {
    resource?: { attributes?: RawKeyValue[] };
    scopeMetrics?: {
      metrics?: {
        name: string;
        unit?: string;
        gauge?: { dataPoints?: RawPoint[] };
        sum?: { dataPoints?: RawPoint[]; isMonotonic?: boolean };
      }[];
    }[];
  }[];
}
interface RawPoint {
  attributes?: RawKeyValue[];
  asDouble?: number;
  asInt?: number | string;
}

function attributes(kvs: RawKeyValue[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const { key, value } of kvs ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}
