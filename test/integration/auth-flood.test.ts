/**
 * Basic auth under a password flood (issue 15, item 2): 16 clients sending wrong passwords must not
 * slow a scraper whose credentials are cached, nor lock out a user not yet cached (never a 503), and a
 * wrong password sent again costs no bcrypt run. The flood and the scrapes are bounded in count and
 * time and go to loopback only.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnListeningExporter, stopChild } from '../support/exporter-process.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import type { ChildProcess } from 'node:child_process';

const FLOOD_CLIENTS = 16;
const FLOOD_MS = 8_000;
const MAX_FLOOD_REQUESTS = 4_000;
const MAX_SCRAPES = 200;
const SCRAPE_PAUSE_MS = 30;
const BASELINE_MS = 3_000;

let dir: string;
let child: ChildProcess;
let url: string;

const basic = (creds: string) => ({ authorization: `Basic ${Buffer.from(creds).toString('base64')}` });

async function scrape(creds: string): Promise<{ status: number; ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/metrics`, { headers: basic(creds) });
  const body = await res.text();
  return { status: res.status, ms: performance.now() - t0, body };
}

function counter(body: string, name: string, result: string): number {
  const m = new RegExp(`^${name}\\{result="${result}"\\} (\\d+)`, 'm').exec(body);
  return m ? Number(m[1]) : NaN;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-auth-flood-'));
  // cost 10, what htpasswd -nBC 10 makes: tens of milliseconds of CPU per check
  const users = { prometheus: bcrypt.hashSync('scrape-secret', 10), alice: bcrypt.hashSync('alice-secret', 10) };
  const file = path.join(dir, 'web.yml');
  fs.writeFileSync(file, `basic_auth_users:\n${Object.entries(users).map(([u, h]) => `  ${u}: "${h}"`).join('\n')}\n`);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // the default scan interval: a scan's hand-over to the main thread is part of what a scrape may wait for
  ({ child } = await spawnListeningExporter([`--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${file}`]));
  await waitFor(async () => (await scrape('prometheus:scrape-secret')).body.match(/^lsof_scans_total\{result="success"\} [1-9]/m), 'a first scan', 100_000);
});

afterAll(async () => {
  if (child) await stopChild(child);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Sequential scrapes with a cached user until `until` or MAX_SCRAPES, each one's latency in ms. */
async function scrapeLatencies(until: number): Promise<number[]> {
  const latencies: number[] = [];
  while (Date.now() < until && latencies.length < MAX_SCRAPES) {
    const s = await scrape('prometheus:scrape-secret');
    expect(s.status).toBe(200);
    latencies.push(s.ms);
    await new Promise((r) => setTimeout(r, SCRAPE_PAUSE_MS));
  }
  return latencies;
}

describe('a flood of wrong passwords', () => {
  it('keeps a cached scraper under 50 ms at p99, lets an uncached user in, and answers every guess 401', async () => {
    const quiet = await scrapeLatencies(Date.now() + BASELINE_MS); // for the log line: what this machine gives without a flood
    const deadline = Date.now() + FLOOD_MS;
    let sent = 0;
    const floodStatuses = new Map<number, number>();
    const flooder = async (i: number) => {
      while (Date.now() < deadline && sent < MAX_FLOOD_REQUESTS) {
        const n = sent++;
        const res = await fetch(`${url}/metrics`, { headers: basic(`prometheus:guess-${i}-${n}`) });
        await res.arrayBuffer();
        floodStatuses.set(res.status, (floodStatuses.get(res.status) ?? 0) + 1);
      }
    };
    const flood = Promise.all(Array.from({ length: FLOOD_CLIENTS }, (_, i) => flooder(i)));
    await new Promise((r) => setTimeout(r, 500)); // let the bcrypt queue fill
    const newcomer = scrape('alice:alice-secret');
    const latencies = await scrapeLatencies(deadline - 500);
    const alice = await newcomer;
    await flood;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `auth flood: without it ${quiet.length} scrapes p99 ${percentile(quiet, 99).toFixed(1)} ms; with ${sent} guesses (${JSON.stringify(Object.fromEntries(floodStatuses))}) ` +
        `${latencies.length} scrapes p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms; uncached user let in after ${alice.ms.toFixed(0)} ms`,
    );
    expect(alice.status).toBe(200);
    expect([...floodStatuses.keys()]).toEqual([401]);
    expect(latencies.length).toBeGreaterThanOrEqual(50);
    expect(p99).toBeLessThan(50);
  });

  it('cuts off a client pipelining guesses on one connection after a few checks', async () => {
    const before = counter((await scrape('prometheus:scrape-secret')).body, 'lsof_exporter_http_bcrypt_checks_total', 'mismatch');
    const port = Number(new URL(url).port);
    const pipelined = Array.from({ length: 200 }, (_, i) => `GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${Buffer.from(`prometheus:pipe-${i}`).toString('base64')}\r\n\r\n`).join('');
    const answers = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(pipelined));
      let got = '';
      s.on('data', (d) => (got += d.toString('latin1')));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      s.setTimeout(30_000, () => s.destroy());
    });
    const after = counter((await scrape('prometheus:scrape-secret')).body, 'lsof_exporter_http_bcrypt_checks_total', 'mismatch');
    expect((answers.match(/^HTTP\/1\.1 401 /gm) ?? []).length).toBeLessThanOrEqual(8);
    expect(after - before).toBeLessThanOrEqual(8);
  });

  it('caches a failure: the same wrong password again costs no bcrypt run', async () => {
    const before = counter((await scrape('prometheus:scrape-secret')).body, 'lsof_exporter_http_bcrypt_checks_total', 'mismatch');
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${url}/metrics`, { headers: basic('prometheus:the-same-guess') });
      expect(res.status).toBe(401);
    }
    const after = counter((await scrape('prometheus:scrape-secret')).body, 'lsof_exporter_http_bcrypt_checks_total', 'mismatch');
    expect(after - before).toBe(1);
  });
});
