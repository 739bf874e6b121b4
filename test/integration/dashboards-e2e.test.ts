/**
 * Every query of every dashboard, run the way Grafana runs it against a real Prometheus scraping the
 * real exporter every second, on a host where the test made known listeners, a deleted-but-open file
 * and a process running a deleted executable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../dashboards/src/catalog.js';
import { NODE_COMM, fdholderBinary, startFdHolder, startNodeListener, startPython, type HeldChild } from '../support/children.js';
import { dashboardQueries, grafanaRegexEscape, substituteVariables, type DashboardQuery } from '../support/dashboard-queries.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus-server.js';
import { waitFor } from '../support/wait.js';

/** Panels that may rightly be empty on a healthy host: sources with no error have no series. */
const MAY_BE_EMPTY = new Set(['Scan errors by source']);
const TEST_ALERT = 'LsofDashboardTestListener';
const DELETED_FILE_BYTES = 3 * 1024 * 1024 + 123;

interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

let exporter: RunningExporter;
let prom: RunningPrometheus;
let dir: string;
let prefork: HeldChild;
/** A listener that opened and closed during the range. */
let brief: HeldChild;
/** When Prometheus no longer had the brief listener. */
let briefGoneAt: number;
let deletedHolder: HeldChild;
/** A process holding a memfd with MEMFD_BYTES written into it. */
let memfdHolder: HeldChild;
const MEMFD_BYTES = 2 * 1024 * 1024;
let deletedFile: string;
let deletedExe: string;
/** Start of the dashboards' time range: before any test child existed. */
let rangeStart: number;
const user = os.userInfo().username;
// The JSON Grafana receives, as the committed files hold it.
const queries = DASHBOARDS.flatMap(({ build }) => dashboardQueries(JSON.parse(JSON.stringify(build()))));

async function api(pathAndQuery: string, params: Record<string, string>): Promise<Series[]> {
  const res = await fetch(`${prom.url}${pathAndQuery}?${new URLSearchParams(params).toString()}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: Series[] } };
  if (body.status !== 'success') throw new Error(`${params.query}: ${body.error}`);
  return body.data.result;
}

/** Runs a dashboard query as Grafana would for the range [rangeStart, now] on the test's instance. */
function run(q: DashboardQuery): Promise<Series[]> {
  const end = Date.now() / 1000;
  const expr = substituteVariables(q.expr, {
    job: 'lsof',
    instance: grafanaRegexEscape(`127.0.0.1:${exporter.port}`),
    container_id: '.*',
    lookback: '1h',
    __range: `${Math.ceil(end - rangeStart)}s`,
    __interval: '1s',
    __rate_interval: '4s', // Grafana: max(interval + scrape interval, 4 x scrape interval)
  });
  if (q.kind === 'instant' || q.kind === 'variable') return api('/api/v1/query', { query: expr, time: String(end) });
  return api('/api/v1/query_range', { query: expr, start: String(rangeStart), end: String(end), step: '1' });
}

function query(source: string, refId = 'A'): DashboardQuery {
  const q = queries.find((x) => x.source === source && (x.refId === refId || x.kind === 'annotation'));
  if (!q) throw new Error(`no query ${source} ${refId}`);
  return q;
}

/** A copy of the fdholder test binary under `name`, so its processes have that comm. */
function copyOfFdholder(name: string): string {
  const target = path.join(dir, name);
  fs.copyFileSync(fdholderBinary(), target);
  fs.chmodSync(target, 0o755);
  return target;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-dash-'));
  // Other suites' deleted files may be larger: show every one, so the test's file is in the table.
  // No descriptor cache: a scan between the holder's open() and the unlink would otherwise keep its
  // table (same fd count) without the deleted file for up to the cache's age (docs/metrics.md).
  // The test's folder is a watched path: the deleted file's holder shows in the watched-path panels.
  // No listener hold either: the brief listener must leave /metrics when it closes.
  exporter = await startExporter(['--deleted.top=1000', '--scan.fd-cache-max-age=0', `--watch.path=${dir}`, '--scan.listener-hold-time=0']);
  const rules = path.join(dir, 'test.rules.yml');
  const rule = { alert: TEST_ALERT, expr: 'lsof_listener_processes{process="dashprefork"} > 0', labels: { severity: 'info' } };
  fs.writeFileSync(rules, JSON.stringify({ groups: [{ name: 'dashboards-e2e', rules: [rule] }] }));
  prom = await startPrometheus({ targets: [`127.0.0.1:${exporter.port}`], ruleFiles: [rules] });
  await waitFor(async () => (await prom.query('count_over_time(up{job="lsof"}[1m]) >= 2')).length > 0, 'two scrapes', 30_000);
  rangeStart = Date.now() / 1000;

  prefork = await startFdHolder(['prefork', '0', '3'], { binary: copyOfFdholder('dashprefork') });
  deletedFile = path.join(dir, 'pinned.log');
  fs.writeFileSync(deletedFile, Buffer.alloc(DELETED_FILE_BYTES, 1));
  deletedExe = copyOfFdholder('dashdeleted');
  deletedHolder = await startFdHolder(['hold', deletedFile], { binary: deletedExe });
  memfdHolder = await startPython(`open('/proc/self/comm', 'w').write('dashmemfd')\nfd = os.memfd_create('buffer')\nos.write(fd, b'x' * ${MEMFD_BYTES})`);
  brief = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
  fs.unlinkSync(deletedFile);
  fs.unlinkSync(deletedExe);

  await waitFor(
    async () =>
      (await prom.query(`lsof_listener_processes{port="${prefork.port}"}`)).length > 0 &&
      (await prom.query(`lsof_listener_processes{port="${brief.port}"}`)).length > 0 &&
      (await prom.query('lsof_deleted_executable_processes{process="dashdeleted"}')).length > 0 &&
      (await prom.query('lsof_memfd_open_bytes{process="dashmemfd"}')).length > 0 &&
      (await prom.query(`ALERTS{alertname="${TEST_ALERT}", alertstate="firing"}`)).length > 0,
    'the test children in Prometheus',
    30_000,
  );
  await brief.stop();
  await waitFor(async () => (await prom.query(`lsof_listener_processes{port="${brief.port}"}`)).length === 0, 'the brief listener gone', 30_000);
  briefGoneAt = Date.now() / 1000;
  // Enough scrapes after the children for rate() windows over them.
  await waitFor(async () => (await prom.query(`count_over_time(lsof_listener_processes{port="${prefork.port}"}[1m]) >= 3`)).length > 0, 'three scrapes', 30_000);
}, 90_000);

afterAll(async () => {
  await Promise.all([prefork?.stop(), deletedHolder?.stop(), memfdHolder?.stop(), brief?.stop()]);
  await prom?.stop();
  await exporter?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('dashboards against a real Prometheus and exporter', () => {
  it('names only panels that exist as allowed to be empty', () => {
    for (const title of MAY_BE_EMPTY) expect(queries.map((q) => q.source)).toContain(title);
  });

  it.each(queries)('$dashboard / $source $refId ($kind) returns data', async (q) => {
    const result = await run(q);
    if (!MAY_BE_EMPTY.has(q.source)) expect(result.length, q.expr).toBeGreaterThan(0);
  });

  it('lists the test listener as process/user/address:port with its executable, worker count and first-seen time', async () => {
    const listener = `dashprefork/${user}/127.0.0.1:${prefork.port}`;
    const workers = (await run(query('Current listeners', 'A'))).filter((s) => s.metric.listener === listener);
    expect(workers).toHaveLength(1);
    expect(workers[0]!.metric).toMatchObject({ protocol: 'tcp', executable: path.join(dir, 'dashprefork') });
    expect(Number(workers[0]!.value![1])).toBe(4); // the listening parent and its 3 forked workers
    const firstSeen = (await run(query('Current listeners', 'B'))).filter((s) => s.metric.listener === listener);
    expect(firstSeen).toHaveLength(1);
    const firstSeenSeconds = Number(firstSeen[0]!.value![1]) / 1000;
    expect(firstSeenSeconds).toBeGreaterThan(rangeStart);
    expect(firstSeenSeconds).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('leaves a listener that closed during the range out of the current listeners', async () => {
    for (const refId of ['A', 'B']) {
      const rows = await run(query('Current listeners', refId));
      expect(rows.filter((s) => s.metric.port === String(brief.port))).toEqual([]);
      expect(rows.filter((s) => s.metric.port === String(prefork.port))).toHaveLength(1);
    }
  });

  it('shows the test listeners as new, the closed one while it listened, and not the exporter that listened before the range began', async () => {
    const series = await run(query('New listeners'));
    const listeners = series.map((s) => s.metric.listener);
    expect(listeners).toContain(`dashprefork/${user}/127.0.0.1:${prefork.port}`);
    const closed = series.find((s) => s.metric.listener === `${NODE_COMM}/${user}/127.0.0.1:${brief.port}`);
    expect(closed?.values?.length).toBeGreaterThan(0);
    // It stopped during the range: its series ends before Prometheus lost it.
    expect(closed!.values!.at(-1)![0]).toBeLessThan(briefGoneAt);
    expect(series.filter((s) => s.metric.port === String(exporter.port))).toEqual([]);
  });

  it('shows the test binaries as new executables of their account, and not the exporter that ran before the range began', async () => {
    const series = await run(query('New executables'));
    const mine = series.filter((s) => s.metric.user === user).map((s) => s.metric.executable);
    expect(mine).toContain(path.join(dir, 'dashprefork'));
    expect(mine).not.toContain(fs.realpathSync(process.execPath));
  });

  it('counts the test listener under its user', async () => {
    const byUser = await run(query('Listeners by user'));
    expect(byUser.map((s) => s.metric.user)).toContain(user);
  });

  it('lists the deleted-but-open file with its size and holder', async () => {
    const rows = (await run(query('Largest deleted-but-open files'))).filter((s) => s.metric.path === deletedFile);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.metric).toMatchObject({ process: 'dashdeleted', user, pid: String(deletedHolder.pid) });
    expect(Number(rows[0]!.value![1])).toBe(DELETED_FILE_BYTES);
    const byProcess = (await run(query('Deleted-but-open bytes by process'))).filter((s) => s.metric.process === 'dashdeleted');
    expect(Number(byProcess[0]?.values?.at(-1)?.[1])).toBeGreaterThanOrEqual(DELETED_FILE_BYTES);
  });

  it('shows the memory a memfd pins under its holder', async () => {
    const rows = (await run(query('Memory pinned by memfds, by process'))).filter((s) => s.metric.process === 'dashmemfd');
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.values?.at(-1)?.[1])).toBeGreaterThanOrEqual(MEMFD_BYTES);
  });

  it('lists the process running a deleted executable', async () => {
    const rows = (await run(query('Processes running deleted executables'))).filter((s) => s.metric.process === 'dashdeleted');
    expect(rows.map((s) => s.metric.executable)).toEqual([deletedExe]);
  });

  it('lists the holder of the watched folder, by the path it had for the deleted file', async () => {
    const rows = (await run(query('Holders of watched paths'))).filter((s) => s.metric.path === dir);
    expect(rows.map((s) => [s.metric.user, s.metric.process, s.value![1]])).toContainEqual([user, 'dashdeleted', '1']);
    const holders = (await run(query('Processes holding watched paths'))).filter((s) => s.metric.path === dir);
    expect(Number(holders[0]?.values?.at(-1)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('shows the firing alert as an annotation', async () => {
    const alerts = await run(query('Firing lsof alerts'));
    expect(alerts.map((s) => s.metric.alertname)).toContain(TEST_ALERT);
  });
});
