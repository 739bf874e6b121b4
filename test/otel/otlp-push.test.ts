/**
 * The built exporter pushing over OTLP/HTTP to a real receiver, protobuf (enabled by the standard
 * environment variables) and JSON (enabled by flags), on the real /proc with children holding a
 * known listener, known descriptors and a deleted file.
 *
 * The exporters run one scan and then freeze (--scan.interval=10m, no listener polls), so every push
 * and every scrape shows the same snapshot and the two outputs can be compared series by series.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposedFamilies } from '../../src/metrics/catalog.js';
import { fullName } from '../../src/signals/family.js';
import { SIGNALS } from '../../src/signals/index.js';
import { toAttributes } from '../../src/exporters/otel-attributes.js';
import { VERSION } from '../../src/version.js';
import { NODE_COMM, fdholderBinary, startFdHolder, startNodeListener, type HeldChild } from '../support/children.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { parseExposition } from '../support/exposition.js';
import { startOtlpReceiver, type OtlpExport, type OtlpReceiver } from '../support/otlp-receiver.js';
import { waitFor } from '../support/wait.js';

const DELETED_SIZE = 54_321;
/** Its blocks on disk: what lsof.deleted_file.size (bytes pinned) reports. */
let deletedAllocated = 0;
const FROZEN = ['--scan.interval=10m', '--scan.listener-poll-interval=0', '--group.by=user,process,executable'];

let tmp: string;
let deletedPath: string;
let deletedInode: number;
let listener: HeldChild;
let holder: HeldChild;
const receivers: OtlpReceiver[] = [];
const exporters: RunningExporter[] = [];

interface Pushed {
  exporter: RunningExporter;
  push: OtlpExport;
  exposition: string;
}
const pushed: Record<'protobuf' | 'json', Pushed> = {} as Record<'protobuf' | 'json', Pushed>;

async function pushAndScrape(protocol: 'protobuf' | 'json'): Promise<void> {
  const receiver = await startOtlpReceiver();
  receivers.push(receiver);
  const endpoint = `http://127.0.0.1:${receiver.port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, OTEL_METRIC_EXPORT_INTERVAL: '1000' };
  let args = FROZEN;
  if (protocol === 'protobuf') {
    Object.assign(env, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'x-otlp-test=pb', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.namespace=lsof' });
  } else {
    // Flags win over the environment: this endpoint and protocol, not the bogus ones below.
    Object.assign(env, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_SERVICE_NAME: 'lsof-json' });
    args = [...FROZEN, `--otlp.endpoint=${endpoint}`, '--otlp.protocol=http/json'];
  }
  const exporter = await startExporter(args, { env });
  exporters.push(exporter);
  // The first push may predate the first (and only) scan; wait for one that carries it.
  const scanned = (e: OtlpExport) => e.points.some((p) => p.metric === 'lsof.scan.count' && p.attributes['lsof.result'] === 'success' && p.value === 1);
  const push = await waitFor(() => receiver.exports.find(scanned), `an OTLP ${protocol} export after the scan`, 30_000);
  pushed[protocol] = { exporter, push, exposition: await exporter.metrics() };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-otel-'));
  deletedPath = path.join(tmp, 'pinned.bin');
  fs.writeFileSync(deletedPath, Buffer.alloc(DELETED_SIZE, 7));
  fdholderBinary();
  listener = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
  holder = await startFdHolder(['hold', deletedPath]);
  deletedInode = fs.statSync(deletedPath).ino;
  deletedAllocated = Number(fs.statSync(deletedPath).blocks) * 512;
  fs.unlinkSync(deletedPath);
  // One after the other: two exporters scanning at once double the load on a busy CI machine.
  await pushAndScrape('protobuf');
  await pushAndScrape('json');
}, 120_000);

afterAll(async () => {
  await Promise.all(exporters.map((e) => e.stop()));
  await Promise.all(receivers.map((r) => r.stop()));
  await Promise.all([listener, holder].filter(Boolean).map((c) => c.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

function points(push: OtlpExport, metric: string) {
  return push.points.filter((p) => p.metric === metric);
}

describe.each(['protobuf', 'json'] as const)('OTLP push over http/%s', (protocol) => {
  it('is sent with the content type of its encoding', () => {
    expect(pushed[protocol].push.contentType).toBe(protocol === 'json' ? 'application/json' : 'application/x-protobuf');
  });

  it('pushes the listener with semantic-convention network and process attributes', () => {
    const ours = points(pushed[protocol].push, 'lsof.listener.processes').filter((p) => p.attributes['network.local.port'] === listener.port);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.kind).toBe('gauge');
    expect(ours[0]!.unit).toBe('{process}');
    expect(ours[0]!.value).toBe(1);
    expect(ours[0]!.attributes).toMatchObject({
      'network.transport': 'tcp',
      'network.type': 'ipv4',
      'network.local.address': '127.0.0.1',
      'network.local.port': listener.port,
      'process.owner': os.userInfo().username,
      'process.executable.name': NODE_COMM,
      'process.executable.path': fs.realpathSync(process.execPath),
    });
    // Empty labels (host network namespace) are left out, not sent as "".
    expect(ours[0]!.attributes).not.toHaveProperty('lsof.netns');
  });

  it('pushes the descriptors of a known child as lsof.group.file_descriptor.count by lsof.fd.type, not under the deprecated per-process name', () => {
    expect(points(pushed[protocol].push, 'process.open_file_descriptor.count')).toEqual([]);
    const mine = points(pushed[protocol].push, 'lsof.group.file_descriptor.count').filter((p) => p.attributes['process.executable.path'] === fdholderBinary());
    const byType = Object.fromEntries(mine.map((p) => [p.attributes['lsof.fd.type'], p.value]));
    // The held file, and stdio from the test (pipes or socket pairs, as node chooses).
    expect(byType.file).toBe(1);
    const total = mine.reduce((sum, p) => sum + p.value, 0);
    expect(total).toBe(fs.readdirSync(`/proc/${holder.pid}/fd`).length);
    expect(mine.every((p) => p.kind === 'gauge' && p.unit === '{file_descriptor}')).toBe(true);
  });

  it('pushes the deleted-but-open file with its size, path, inode and holder pid, and the disk space it pins', () => {
    const push = pushed[protocol].push;
    const top = points(push, 'lsof.deleted_file.top.size').filter((p) => p.attributes['file.path'] === deletedPath);
    expect(top).toHaveLength(1);
    expect(top[0]!.value).toBe(DELETED_SIZE);
    expect(top[0]!.unit).toBe('By');
    expect(top[0]!.attributes).toMatchObject({ 'process.pid': holder.pid, 'process.executable.name': path.basename(fdholderBinary()).slice(0, 15), 'file.inode': String(deletedInode) });
    expect(top[0]!.attributes['lsof.file.device']).toMatch(/^\d+:\d+$/);
    const count = points(push, 'lsof.deleted_file.count').find((p) => p.attributes['process.executable.path'] === fdholderBinary());
    expect(count?.value).toBe(1);
    const bytes = points(push, 'lsof.deleted_file.size').find((p) => p.attributes['process.executable.path'] === fdholderBinary());
    expect(deletedAllocated).toBeGreaterThanOrEqual(DELETED_SIZE);
    expect(bytes?.value).toBe(deletedAllocated);
  });

  it('counts scans with a monotonic sum', () => {
    const scans = points(pushed[protocol].push, 'lsof.scan.count');
    expect(scans.find((p) => p.attributes['lsof.result'] === 'success')).toMatchObject({ kind: 'sum', monotonic: true, value: 1 });
  });

  it('describes the exporter in the resource, with OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME on top', () => {
    const { resource } = pushed[protocol].push;
    expect(resource).toMatchObject({ 'host.name': os.hostname(), 'service.version': VERSION });
    expect(resource['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    if (protocol === 'protobuf') {
      expect(resource).toMatchObject({ 'service.name': 'lsof-exporter', 'deployment.environment.name': 'test', 'service.namespace': 'lsof' });
    } else {
      expect(resource['service.name']).toBe('lsof-json');
    }
  });

  it('carries the same value as /metrics for every series of every family', () => {
    const { push, exposition } = pushed[protocol];
    const scraped = parseExposition(exposition);
    for (const { family: def } of exposedFamilies(SIGNALS)) {
      const fromScrape = scraped
        .filter((s) => s.name === fullName(def))
        .map((s) => JSON.stringify([sortedEntries(toAttributes(s.labels, def.labels)), s.value]))
        .sort();
      const fromPush = points(push, def.otelName)
        .map((p) => JSON.stringify([sortedEntries(p.attributes), p.value]))
        .sort();
      expect(fromPush, def.otelName).toEqual(fromScrape);
      expect(fromPush.length, def.otelName).toBe(fromScrape.length);
    }
  });
});

describe('OTLP headers', () => {
  it('sends OTEL_EXPORTER_OTLP_HEADERS with each export', () => {
    expect(pushed.protobuf.push.headers['x-otlp-test']).toBe('pb');
  });
});

function sortedEntries(attrs: Record<string, unknown>): [string, unknown][] {
  return Object.entries(attrs).sort(([a], [b]) => a.localeCompare(b));
}
