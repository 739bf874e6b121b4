/**
 * deploy/prometheus-sharded.yml: valid for promtool, and with it the real Prometheus of each shard
 * keeps exactly its share of the targets (together: every target once), with the shipped rule
 * files loaded. Targets are closed loopback ports: scrapes fail on loopback, nothing leaves the host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { stopChild } from '../support/exporter-process.js';
import { freePort } from '../support/ports.js';
import { runTool } from '../support/run-tool.js';
import { waitFor } from '../support/wait.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const EXAMPLE = path.join(DEPLOY, 'prometheus-sharded.yml');
const SHARDS = 3;

interface ShardedConfig {
  global: { external_labels: { shard: string } };
  rule_files: string[];
  scrape_configs: { static_configs: { targets: string[] }[]; relabel_configs: { modulus?: number; regex?: string; action: string }[] }[];
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

/** The example as server `shard` runs it: its regex and label, the given targets, absolute rule paths. */
function shardConfig(shard: number, targets: string[]): string {
  const config = parse(fs.readFileSync(EXAMPLE, 'utf8')) as ShardedConfig;
  config.global.external_labels.shard = String(shard);
  config.rule_files = config.rule_files.map((f) => path.resolve(DEPLOY, f));
  const job = config.scrape_configs[0]!;
  job.static_configs = [{ targets }];
  const keep = job.relabel_configs.find((r) => r.action === 'keep')!;
  keep.regex = String(shard);
  return stringify(config);
}

async function activeTargets(shard: number, targets: string[]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lsof-shard-${shard}-`));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), shardConfig(shard, targets));
  const port = await freePort();
  const args = [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`];
  const child = spawn('/usr/bin/prometheus', args, { stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, `shard ${shard} ready`, 30_000, 200);
  // Targets appear once discovery has run (a few seconds after the start).
  return waitFor(
    async () => {
      const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: { instance: string } }[]; droppedTargets: unknown[] } };
      const { activeTargets: active, droppedTargets: dropped } = body.data;
      return active.length + dropped.length === targets.length ? active.map((t) => t.labels.instance) : undefined;
    },
    `shard ${shard} targets`,
    30_000,
    250,
  );
}

afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c)));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('hashmod sharding example', () => {
  it('is valid for promtool and loads the three shipped rule files', async () => {
    const out = await runTool('/usr/bin/promtool', ['check', 'config', 'prometheus-sharded.yml'], DEPLOY);
    expect(out).toContain('SUCCESS: 3 rule files found');
    expect(out).toMatch(/lsof-exporter-history\.rules\.yml\n\s+SUCCESS/);
  });

  it('hashes every target into one shard of the modulus the example sets', () => {
    const job = (parse(fs.readFileSync(EXAMPLE, 'utf8')) as ShardedConfig).scrape_configs[0]!;
    expect(job.relabel_configs.find((r) => r.action === 'hashmod')?.modulus).toBe(SHARDS);
  });

  it('gives each target to exactly one of the servers', async () => {
    const targets = Array.from({ length: 24 }, (_, i) => `127.0.0.1:${1 + i}`);
    const perShard = await Promise.all(Array.from({ length: SHARDS }, (_, shard) => activeTargets(shard, targets)));
    expect(perShard.flat().sort()).toEqual([...targets].sort());
    // With 24 targets in 3 buckets, every server gets some: the hash spreads them.
    for (const own of perShard) expect(own.length).toBeGreaterThan(0);
  });
});
