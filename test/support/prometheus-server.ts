/**
 * A real Prometheus (Debian package) on a free loopback port with a generated config: scrape targets,
 * rule files and optionally an Alertmanager. For end-to-end tests of rules and dashboards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';
import { stopChild } from './exporter-process.js';
import { waitFor } from './wait.js';

export interface PrometheusOptions {
  /** host:port of each exporter to scrape (job "lsof"). */
  targets: string[];
  ruleFiles?: string[];
  alertmanager?: string;
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** More scrape_configs entries beside job "lsof", e.g. a kube-state-metrics stand-in. */
  extraScrapeConfigs?: Record<string, unknown>[];
  /** Extra flags, e.g. ['--storage.tsdb.retention.time=1d']. */
  extraArgs?: string[];
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  child: ChildProcess;
  logs: () => string;
  /** Instant query; returns the result vector. */
  query: (expr: string) => Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop: () => Promise<void>;
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-prom-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: opts.scrapeInterval ?? '1s', evaluation_interval: opts.evaluationInterval ?? '1s' },
    rule_files: opts.ruleFiles ?? [],
    scrape_configs: [{ job_name: 'lsof', static_configs: [{ targets: opts.targets }] }, ...(opts.extraScrapeConfigs ?? [])],
    ...(opts.alertmanager ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [opts.alertmanager] }] }] } } : {}),
  };
  // JSON is valid YAML: no YAML dependency needed for a generated config.
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const child = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...(opts.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${out}`);
    return (await fetch(`${url}/-/ready`)).ok;
  }, 'prometheus ready', 30_000);
  return {
    url,
    dir,
    child,
    logs: () => out,
    query: async (expr) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
      return body.data.result;
    },
    stop: async () => {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
