/**
 * The lsof recipe's compromised forum, replayed end to end: a copy of bash in a dot-directory of a
 * temporary web root, run as www-data with its cwd there, holding a connection to an "IRC server" on
 * port 6667. The servers (6667, a database on 5432, sshd's port 22) listen in a network namespace this
 * test makes; the clients join it with nsenter. The real exporter (1s scans) is scraped by a real
 * Prometheus loading the shipped rules, rendered with shortened windows through the tunables operators
 * use, which notifies a real Alertmanager whose webhook is a server in this test.
 *
 * Must reach the webhook: LsofServiceAccountUnexpectedExecutable, LsofServiceAccountWatchedConnection
 * and LsofNewExecutable, with user, process, executable and remote port. Must not: a www-data process
 * connecting to 5432 (no watched-connection alert), a login account's ssh client to port 22 (nothing;
 * it ran ssh once while the instance was new, so ssh is in its history, as on any host it uses).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executableRecordNames } from '../../alerts/src/groups/executable-history.js';
import { recordNames } from '../../alerts/src/groups/listener-history.js';
import { metric } from '../../alerts/src/names.js';
import { HISTORY_RULE_FILE, renderHistoryRuleFile, renderRuleFile } from '../../alerts/src/render.js';
import { withOverrides } from '../../alerts/src/tunables.js';
import { startAlertmanager, type RunningAlertmanager } from '../support/alertmanager-server.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { startInNamespace, type NamespacedChild } from '../support/netns-children.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus-server.js';
import { waitFor } from '../support/wait.js';
import { startWebhookReceiver, type ReceivedAlert, type WebhookReceiver } from '../support/webhook-receiver.js';

// The new-listener e2e's windows (the executable history shares them): history every 2s, `recent` 20s.
const TUNABLES = withOverrides({
  newListener: { lookback: '10m', recent: '20s', minInstanceHistory: '10s', for: '3s', historyInterval: '2s' },
  newExecutable: { for: '3s' },
  serviceAccount: { for: '0s' },
  suspicious: { hiddenExecutableFor: '3s', hiddenCwdFor: '3s', masqueradingNameFor: '3s' },
});
const ALERTS_DIR = fileURLToPath(new URL('../../alerts/', import.meta.url));
const WWW_DATA = 33; // Debian's www-data, a service account of the shipped tunables
const IRC_PORT = 6667;
const DB_PORT = 5432;
const SSH_PORT = 22;
const SSH = fs.realpathSync('/usr/bin/ssh');
// Run as python3 (its process name); the executable label is the resolved path.
const PYTHON = fs.realpathSync('/usr/bin/python3');
const CONNECTIONS = metric('tcp_connections');

/** The first login account (uid 1000 up, not nobody): a normal user, not a service account. */
function loginAccount(): { name: string; uid: number; gid: number } {
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name && Number(uid) >= 1000 && Number(uid) < 65534) return { name, uid: Number(uid), gid: Number(gid) };
  }
  // No login account on this host: root is not a service account either (its ssh must be quiet too).
  return { name: 'root', uid: 0, gid: 0 };
}
const USER = loginAccount();

// Listens on the three ports in the namespace and holds what it accepts, until its stdin closes.
const SERVERS = `const net=require('net');const held=[];let n=0;
for(const p of [${IRC_PORT},${DB_PORT},${SSH_PORT}]){net.createServer((c)=>held.push(c)).listen(p,'127.0.0.1',()=>{if(++n===3)console.log('ready',process.pid,${IRC_PORT});});}
process.stdin.on('end',()=>process.exit(0));process.stdin.resume();`;

let webhook: WebhookReceiver;
let alertmanager: RunningAlertmanager;
let exporter: RunningExporter;
let prometheus: RunningPrometheus;
let servers: NamespacedChild;
let instance: string;
const clients: ChildProcess[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-recipe-'));
// The forum of the recipe: /home/user/public_html/w-agora/.m/bash
const dotDir = path.join(tmp, 'public_html', 'w-agora', '.m');
const dropped = path.join(dotDir, 'bash');

/** A client in the servers' network namespace, as `uid`, in its own process group (killed as one). */
function startClient(argv: string[], uid: number, gid: number, cwd = tmp): ChildProcess {
  const drop = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups'];
  const child = spawn('nsenter', [`--net=/proc/${servers.hostPid}/ns/net`, '--', ...drop, ...argv], {
    cwd,
    detached: true,
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' },
  });
  clients.push(child);
  return child;
}

function sshClient(): ChildProcess {
  const options = ['BatchMode=yes', 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null'].flatMap((o) => ['-o', o]);
  // The server never sends its banner: the client holds the established connection until killed.
  return startClient([SSH, '-F', '/dev/null', ...options, '-p', String(SSH_PORT), '127.0.0.1', 'true'], USER.uid, USER.gid);
}

async function killClient(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

/** The exporter's outbound connections of one user and process, by remote port. */
async function outbound(user: string, comm: string): Promise<string[]> {
  return samplesOf(await exporter.metrics(), CONNECTIONS)
    .filter((s) => s.labels.user === user && s.labels.process === comm && s.labels.direction === 'outbound' && s.labels.state === 'established')
    .map((s) => s.labels.remote_port!);
}

async function scraped(expr: string): Promise<boolean> {
  return (await prometheus.query(expr)).length > 0;
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

/** Alerts Prometheus holds for this instance, pending or firing. */
async function prometheusAlerts(): Promise<PromAlert[]> {
  const body = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts.filter((a) => a.labels.instance === instance);
}

function notified(name: string, match: Record<string, string>): ReceivedAlert | undefined {
  return webhook.received.find(
    (a) => a.labels.alertname === name && a.labels.instance === instance && a.status === 'firing' && Object.entries(match).every(([k, v]) => a.labels[k] === v),
  );
}

describe('the lsof recipe replayed: a dropped "bash" of www-data talking to IRC', () => {
  beforeAll(async () => {
    execFileSync('getent', ['passwd', String(WWW_DATA)]); // Debian's base-passwd: it exists, or the test fails here
    fs.mkdirSync(dotDir, { recursive: true });
    for (let dir = dotDir; dir !== path.dirname(tmp); dir = path.dirname(dir)) fs.chmodSync(dir, 0o755);
    fs.copyFileSync('/usr/bin/bash', dropped);
    fs.chmodSync(dropped, 0o755);
    fs.chownSync(dotDir, WWW_DATA, WWW_DATA); // the bot writes its log there

    webhook = await startWebhookReceiver();
    alertmanager = await startAlertmanager(webhook.url);
    const rules = path.join(tmp, 'lsof-exporter.rules.yml');
    fs.writeFileSync(rules, renderRuleFile(TUNABLES));
    const history = path.join(tmp, HISTORY_RULE_FILE);
    fs.writeFileSync(history, renderHistoryRuleFile(TUNABLES));
    servers = await startInNamespace([process.execPath, '-e', SERVERS]);
    exporter = await startExporter();
    instance = `127.0.0.1:${exporter.port}`;
    const expected = ['expected-listeners.rules.yml', 'expected-executables.rules.yml'].map((f) => `${ALERTS_DIR}${f}`);
    prometheus = await startPrometheus({ targets: [instance], ruleFiles: [rules, history, ...expected], alertmanager: alertmanager.address });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => killClient(c)));
    await servers?.stop();
    await exporter?.stop();
    await prometheus?.stop();
    await alertmanager?.stop();
    await webhook?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`${USER.name}'s ssh client becomes part of the instance's history while the instance is new`, async () => {
    const warmUp = sshClient();
    await waitFor(async () => (await outbound(USER.name, 'ssh')).includes('other'), 'the ssh connection in the exporter', 60_000, 250);
    // Level 2 of the executable history holds it once its first record is `recent` old.
    const { executableHistory } = executableRecordNames(TUNABLES.newListener);
    const inHistory = `present_over_time(${executableHistory}{instance="${instance}",user="${USER.name}",executable="${SSH}"}[4s])`;
    await waitFor(() => scraped(inHistory), 'ssh in the executable history', 60_000, 250);
    await killClient(warmUp);
    expect(webhook.received.filter((a) => a.labels.instance === instance && a.labels.alertname === 'LsofNewExecutable')).toEqual([]);
  }, 150_000);

  it('notifies the unexpected-executable, watched-connection, new-executable, hidden-directory and masquerading alerts with user, process, executable and remote port', async () => {
    const gate = `present_over_time(${recordNames(TUNABLES.newListener).eligibleInstances}{instance="${instance}"}[4s])`;
    await waitFor(() => scraped(gate), 'instance history', 60_000, 250);
    // exec 3<>/dev/tcp: bash's own connect(); stdout to LinkEvents as in the recipe; then wait on stdin.
    const bot = startClient([dropped, '-c', `exec 3<>/dev/tcp/127.0.0.1/${IRC_PORT} && exec >LinkEvents && read -r _`], WWW_DATA, WWW_DATA, dotDir);
    await waitFor(async () => (await outbound('www-data', 'bash')).includes(String(IRC_PORT)), 'the IRC connection in the exporter', 60_000, 250);
    expect(fs.readlinkSync(`/proc/${bot.pid}/cwd`)).toBe(dotDir);
    expect(fs.readlinkSync(`/proc/${bot.pid}/exe`)).toBe(dropped);

    const who = { user: 'www-data', process: 'bash' };
    const unexpected = await waitFor(() => notified('LsofServiceAccountUnexpectedExecutable', who), 'unexpected executable at the webhook', 30_000, 50);
    expect(unexpected.labels).toMatchObject({ severity: 'critical', ...who, executable: dropped });
    expect(unexpected.annotations.summary).toBe(`Service account www-data runs ${dropped} (bash) on ${instance}.`);
    const irc = await waitFor(() => notified('LsofServiceAccountWatchedConnection', who), 'watched connection at the webhook', 30_000, 50);
    expect(irc.labels).toMatchObject({ severity: 'critical', ...who, executable: dropped, remote_port: String(IRC_PORT) });
    const fresh = await waitFor(() => notified('LsofNewExecutable', who), 'new executable at the webhook', 30_000, 50);
    expect(fresh.labels).toMatchObject({ severity: 'warning', ...who, executable: dropped });
    // Where it lives and what it calls itself (lsof_suspicious_processes): a dot-directory, and a
    // system program's name on a binary outside the system directories.
    for (const [alert, severity] of [
      ['LsofHiddenExecutable', 'warning'],
      ['LsofHiddenWorkingDirectory', 'warning'],
      ['LsofMasqueradingProcessName', 'critical'],
    ] as const) {
      const a = await waitFor(() => notified(alert, who), `${alert} at the webhook`, 30_000, 50);
      expect(a.labels).toMatchObject({ severity, ...who, executable: dropped });
    }
  }, 180_000);

  it("stays quiet for www-data's database connection (no watched-connection alert) and for a login account's ssh to port 22 (nothing)", async () => {
    const db = startClient(['/usr/bin/python3', '-c', `import socket, sys\ns = socket.create_connection(('127.0.0.1', ${DB_PORT}))\nsys.stdin.read()`], WWW_DATA, WWW_DATA);
    const ssh = sshClient();
    // Both connections reached Prometheus (remote ports not watched: "other"), so the rules have seen them.
    const seen = (user: string, process: string) =>
      `${CONNECTIONS}{instance="${instance}",user="${user}",process="${process}",direction="outbound",remote_port="other",state="established"}`;
    // On a timeout, say which is missing and what the exporter and the client show of it.
    const missing = async (client: ChildProcess, user: string, process: string) =>
      (await scraped(seen(user, process))) ? [] : [`${user} ${process} (exit ${client.exitCode ?? client.signalCode ?? 'none'}, exporter's outbound remote ports [${(await outbound(user, process)).join(',')}])`];
    await waitFor(
      async () => {
        const absent = [...(await missing(db, 'www-data', 'python3')), ...(await missing(ssh, USER.name, 'ssh'))];
        if (absent.length > 0) throw new Error(`not yet in Prometheus: ${absent.join('; ')}`);
        return true;
      },
      'both connections scraped',
      60_000,
      250,
    );

    // Longer than every `for` and the recent window: a pending alert would have shown.
    const isOurs = (labels: Record<string, string>) => labels.process === 'ssh' || labels.executable === SSH || (labels.user === USER.name && USER.name !== 'root');
    const watchUntil = Date.now() + 25_000;
    while (Date.now() < watchUntil) {
      const alerts = await prometheusAlerts();
      expect(alerts.filter((a) => isOurs(a.labels))).toEqual([]);
      expect(alerts.filter((a) => a.labels.alertname === 'LsofServiceAccountWatchedConnection' && a.labels.process === 'python3')).toEqual([]);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Meanwhile www-data's python is an unexpected and new executable: the rules did evaluate it.
    expect(notified('LsofServiceAccountUnexpectedExecutable', { user: 'www-data', process: 'python3', executable: PYTHON })).toBeDefined();
    const ours = webhook.received.filter((a) => a.labels.instance === instance);
    expect(ours.filter((a) => isOurs(a.labels))).toEqual([]);
    expect(ours.filter((a) => a.labels.alertname === 'LsofServiceAccountWatchedConnection' && a.labels.process === 'python3')).toEqual([]);
  }, 150_000);
});
