/**
 * The new-listener recipe end to end on loopback: the exporter (1s scans) scraped by a real Prometheus
 * (1s scrape and evaluation) loading the shipped rules, rendered with shortened windows through the
 * same tunables operators use, notifying a real Alertmanager whose webhook is a server in this test.
 * An admin's `nc -l` (as nobody, a service account, when run as root) must reach the webhook; a host
 * just added, an exporter restart and a service restart on the same port must not; a third account's
 * new listener must while another account floods the capped family.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unseenListenersExpr } from '../../alerts/src/groups/listeners.js';
import { recordNames } from '../../alerts/src/groups/listener-history.js';
import { HISTORY_RULE_FILE, renderHistoryRuleFile, renderRuleFile } from '../../alerts/src/render.js';
import { withOverrides } from '../../alerts/src/tunables.js';
import { startAlertmanager, type RunningAlertmanager } from '../support/alertmanager-server.js';
import { startExporter, stopChild, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { NODE_COMM, startFdHolder, startNodeListener } from '../support/children.js';
import { freePort } from '../support/ports.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus-server.js';
import { waitFor } from '../support/wait.js';
import { startWebhookReceiver, type ReceivedAlert, type WebhookReceiver } from '../support/webhook-receiver.js';

const TUNABLES = withOverrides({
  // `for` outlasts a scrape or two, as the shipped 1m does at a 15s scrape interval (see the rule).
  // The history is recorded every 2s (hourly when shipped): it must be well inside `recent`.
  newListener: { lookback: '10m', recent: '20s', minInstanceHistory: '10s', for: '3s', historyInterval: '2s' },
  serviceAccount: { for: '0s' },
});
const GATE_OPENS_AFTER_MS = 32_000; // recent + minInstanceHistory + the history interval (its first record)
const EXPECTED_LISTENERS = fileURLToPath(new URL('../../alerts/expected-listeners.rules.yml', import.meta.url));
// The executable label is the resolved path; the process name is what was run (`nc`).
const NC = fs.realpathSync('/usr/bin/nc');
const AS_NOBODY = process.getuid?.() === 0;
const IDENTITY = ['protocol', 'address', 'port', 'user', 'process'] as const;

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

let webhook: WebhookReceiver;
let alertmanager: RunningAlertmanager;
let exporter: RunningExporter;
let prometheus: RunningPrometheus;
let instance: string;
const children: ChildProcess[] = [];
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-rules-'));

async function activeAlerts(name: string): Promise<PromAlert[]> {
  const body = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts.filter((a) => a.labels.alertname === name && a.labels.instance === instance);
}

function notified(name: string, port: number, status: 'firing' | 'resolved', afterMs = 0): ReceivedAlert | undefined {
  return webhook.received.find(
    (a) => a.labels.alertname === name && a.labels.instance === instance && a.labels.port === String(port) && a.status === status && a.receivedAtMs >= afterMs,
  );
}

/** `nc -l` as an admin tests the recipe, bound to loopback. */
function startNc(port: number): ChildProcess {
  const child = spawn('/usr/bin/nc', ['-l', '-s', '127.0.0.1', '-p', String(port)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    ...(AS_NOBODY ? { uid: 65534, gid: 65534 } : {}),
  });
  children.push(child);
  return child;
}

/** When the kernel first shows the port in LISTEN (state 0A) in /proc/net/tcp: the moment of listen(). */
async function listeningSince(port: number): Promise<number> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  return waitFor(
    () => (fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').some((l) => l.includes(hexPort) && / 0A /.test(l)) ? Date.now() : undefined),
    `nc listening on ${port}`,
    10_000,
    5,
  );
}

async function listenerIdentities(): Promise<Set<string>> {
  return new Set(samplesOf(await exporter.metrics(), 'lsof_listener_processes').map((s) => IDENTITY.map((k) => s.labels[k]).join('|')));
}

describe('new-listener alert through Prometheus and Alertmanager', () => {
  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    alertmanager = await startAlertmanager(webhook.url);
    const rules = path.join(rulesDir, 'lsof-exporter.rules.yml');
    fs.writeFileSync(rules, renderRuleFile(TUNABLES));
    const history = path.join(rulesDir, HISTORY_RULE_FILE);
    fs.writeFileSync(history, renderHistoryRuleFile(TUNABLES));
    exporter = await startExporter();
    instance = `127.0.0.1:${exporter.port}`;
    prometheus = await startPrometheus({ targets: [instance], ruleFiles: [rules, history, EXPECTED_LISTENERS], alertmanager: alertmanager.address });
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    await exporter?.stop();
    await prometheus?.stop();
    await alertmanager?.stop();
    await webhook?.stop();
    fs.rmSync(rulesDir, { recursive: true, force: true });
  });

  it('stays quiet while the instance is new, although all its listeners are unseen', async () => {
    const startedAt = Date.now();
    let unseenWhileNew = 0;
    while (Date.now() - startedAt < GATE_OPENS_AFTER_MS - 5_000) {
      const unseen = await prometheus.query(`count by (instance) (${unseenListenersExpr(TUNABLES.newListener)})`);
      const ours = unseen.find((s) => s.metric.instance === instance);
      unseenWhileNew = Math.max(unseenWhileNew, Number(ours?.value[1] ?? 0));
      expect(await activeAlerts('LsofNewListener')).toEqual([]);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Without the instance-history guard these would all have fired.
    expect(unseenWhileNew).toBeGreaterThan(0);
    expect(webhook.received.filter((a) => a.labels.alertname === 'LsofNewListener' && a.labels.instance === instance)).toEqual([]);
  });

  let ncPort = 0;

  it('notifies the webhook of a new nc listener, naming port, user and process', async () => {
    // The guard opens once the history group has recorded the instance as eligible (history older than recent + minInstanceHistory).
    const guard = `present_over_time(${recordNames(TUNABLES.newListener).eligibleInstances}{instance="${instance}"}[4s])`;
    await waitFor(async () => (await prometheus.query(guard)).length > 0, 'instance history', 20_000, 250);
    ncPort = await freePort();
    startNc(ncPort);
    const listenAt = await listeningSince(ncPort);
    const alert = await waitFor(() => notified('LsofNewListener', ncPort, 'firing'), 'LsofNewListener at the webhook', 30_000, 20);
    const user = AS_NOBODY ? 'nobody' : os.userInfo().username;
    expect(alert.labels).toMatchObject({
      severity: 'warning',
      protocol: 'tcp',
      address: '127.0.0.1',
      port: String(ncPort),
      user,
      process: 'nc',
      executable: NC,
      listener: `nc/${user}/127.0.0.1:${ncPort}`,
    });
    expect(alert.annotations.summary).toBe(`New listener nc/${user}/127.0.0.1:${ncPort} on ${instance}.`);
    expect(alert.annotations.description).toContain(`(${NC})`);
    console.log(`new-listener detection latency (listen() to webhook): ${alert.receivedAtMs - listenAt} ms`);
    expect(alert.receivedAtMs - listenAt).toBeLessThan(20_000);

    if (AS_NOBODY) {
      const critical = await waitFor(() => notified('LsofServiceAccountUnexpectedListener', ncPort, 'firing'), 'service-account alert', 10_000, 20);
      expect(critical.labels).toMatchObject({ severity: 'critical', user: 'nobody', listener: `nc/nobody/127.0.0.1:${ncPort}` });
      console.log(`service-account detection latency (listen() to webhook): ${critical.receivedAtMs - listenAt} ms`);
    }
  });

  it('does not fire again for existing listeners after an exporter restart and a service restart on the same port', async () => {
    // Wait until the nc listener has become history (older than `recent`).
    await waitFor(() => notified('LsofNewListener', ncPort, 'resolved'), 'LsofNewListener resolved', 40_000, 250);
    const alerting = new Set((await activeAlerts('LsofNewListener')).map((a) => IDENTITY.map((k) => a.labels[k]).join('|')));
    await new Promise((r) => setTimeout(r, 6000));
    // Existing listeners: here now and already history (present more than `recent` ago), so they are
    // not new in their own right. Another test's short-lived listener is neither.
    const history = new Set(
      (await prometheus.query(`lsof_listener_processes{instance="${instance}"} offset 25s`)).map((r) => IDENTITY.map((k) => r.metric[k]).join('|')),
    );
    const known = new Set([...(await listenerIdentities())].filter((id) => !alerting.has(id) && history.has(id)));
    expect([...known].some((id) => id.endsWith(`|${ncPort}|${AS_NOBODY ? 'nobody' : os.userInfo().username}|nc`))).toBe(true);

    const restartedAt = Date.now();
    await exporter.stop();
    await Promise.all(children.map((c) => stopChild(c)));
    startNc(ncPort);
    exporter = await startExporter([], { port: exporter.port });
    await waitFor(async () => (await prometheus.query(`up{instance="${instance}"} == 1 and on (instance) lsof_listener_processes{instance="${instance}",port="${ncPort}"}`)).length > 0, 'scraped again', 20_000, 250);

    // Watch for as long as a re-fire could last (the recent window) plus a few evaluations.
    const watchUntil = Date.now() + 25_000;
    while (Date.now() < watchUntil) {
      const refired = (await activeAlerts('LsofNewListener')).filter((a) => known.has(IDENTITY.map((k) => a.labels[k]).join('|')));
      expect(refired).toEqual([]);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(notified('LsofNewListener', ncPort, 'firing', restartedAt)).toBeUndefined();
  });

  it("fires for a third account's new listener while another account floods the capped family", async () => {
    // Issue 14, item 4: 2,100 listeners of nobody, each held by two processes, fill the 2,000-series cap.
    const flood = await startFdHolder(['many', '2100'], { uid: 65534, gid: 65534 });
    try {
      await waitFor(async () => samplesOf(await exporter.metrics(), 'lsof_listening_sockets').some((s) => s.labels.user === 'nobody' && s.value >= 2100), 'the flood on /metrics', 90_000, 500);
      const floodedAt = Date.now();
      const daemon = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1', uid: 1, gid: 1 });
      children.push(daemon.child);
      // Prometheus then evaluates, and Alertmanager sends, the flood's own 2,000 new listeners too.
      const alert = await waitFor(() => notified('LsofNewListener', daemon.port, 'firing', floodedAt), "the third account's LsofNewListener at the webhook", 90_000, 50).catch(async (e: Error) => {
        const active = (await activeAlerts('LsofNewListener')).filter((a) => a.labels.port === String(daemon.port));
        throw new Error(`${e.message}; in Prometheus: ${JSON.stringify(await prometheus.query(`lsof_listener_processes{port="${daemon.port}"}`))}, active: ${JSON.stringify(active)}`);
      });
      expect(alert.labels).toMatchObject({ user: 'daemon', process: NODE_COMM, port: String(daemon.port), address: '127.0.0.1' });
      expect(samplesOf(await exporter.metrics(), 'lsof_series_dropped').find((s) => s.labels.metric === 'lsof_listener_processes')?.value).toBeGreaterThan(0);
    } finally {
      await flood.stop();
    }
  }, 240_000);
});
