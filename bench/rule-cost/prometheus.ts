/**
 * A real Prometheus on the backfilled TSDB: loopback, a free port, no scrape jobs and no rule files
 * (nothing else competes for its CPU), per-step query statistics on, the remote-write receiver on
 * (the last hours go to its head), and compaction held off (min = max block duration) so that it
 * does not rewrite the blocks while the queries are measured. It is stopped by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface BenchPrometheus {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

export const FEATURES = 'promql-per-step-stats';

export async function startPrometheus(dataDir: string, workDir: string): Promise<BenchPrometheus> {
  const config = path.join(workDir, 'prometheus.yml');
  fs.writeFileSync(config, 'global: {}\n');
  const port = await freePort();
  const child = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=30d',
      '--storage.tsdb.min-block-duration=2h',
      '--storage.tsdb.max-block-duration=2h',
      `--web.listen-address=127.0.0.1:${port}`,
      `--enable-feature=${FEATURES}`,
      '--query.timeout=10m',
      '--web.enable-remote-write-receiver',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, url, () => log);
  return { url, pid: child.pid!, stop: () => stop(child) };
}

async function waitReady(child: ChildProcess, url: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}:\n${log()}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`prometheus not ready after 120 s:\n${log()}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
