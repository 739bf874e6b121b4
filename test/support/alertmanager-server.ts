/**
 * A real Alertmanager (Debian package prometheus-alertmanager) on free loopback ports, clustering off,
 * routing every alert on its own to one webhook with short waits, for end-to-end alert tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopChild } from './exporter-process.js';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export interface RunningAlertmanager {
  /** host:port, as Prometheus's alerting config names it. */
  address: string;
  child: ChildProcess;
  logs: () => string;
  stop: () => Promise<void>;
}

export async function startAlertmanager(webhookUrl: string): Promise<RunningAlertmanager> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-am-'));
  const port = await freePort();
  const config = {
    route: {
      receiver: 'test',
      // '...' groups by every label: one notification per alert, sent as soon as it arrives.
      group_by: ['...'],
      group_wait: '0s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'test', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  };
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), JSON.stringify(config, null, 2));
  const child = spawn(
    '/usr/bin/prometheus-alertmanager',
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const address = `127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`alertmanager exited ${child.exitCode}: ${out}`);
    return (await fetch(`http://${address}/-/ready`)).ok;
  }, 'alertmanager ready', 30_000);
  return {
    address,
    child,
    logs: () => out,
    stop: async () => {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
