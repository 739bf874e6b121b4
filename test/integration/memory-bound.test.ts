/**
 * Issue 14, item 8: hostile descriptor tables must not grow the exporter without bound. On the real
 * kernel, at once: one unlinked file with a 4,000-byte path opened 20,000 times by one process,
 * 20,000 listeners and 2,000 distinct process names (test/fixtures/c/flood.c, the listeners in a
 * network namespace of the test's own). The exporter, run with the node flags the shipped units use,
 * must keep its peak RSS (VmHWM: the whole process, main thread and scan worker) under 160 MiB, the
 * shipped units' limit being 256 MiB.
 * Needs root (RLIMIT_NOFILE above the hard limit, a network namespace).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFixture, started, type HeldChild } from '../support/children.js';
import { SHIPPED_NODE_FLAGS, startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';

const DESCRIPTORS = 20_000;
const PATH_BYTES = 4_000;
const PROCESSES = 2_000;
const LISTENERS_PER_PROCESS = 10;
/**
 * The issue's target is 160 MiB. With the shipped flags (--optimize-for-size, --v8-pool-size=1 and
 * --no-maglev among them) and the signals' gzip computed once per model, the test file alone measured
 * 136 to 150 MiB on Node 20, 143 to 156 on Node 24 and 152 to 157 on Node 26: under the target in every
 * run (in the fresh-clone suite 149.9, 144.9 and 151.8 MiB), so the suite asserts the issue's 160 MiB
 * on every line. docs/benchmarks.md, "Peak RSS under a hostile load".
 */
const RSS_LIMIT_MIB = 160;
const RSS_LIMIT_BYTES = RSS_LIMIT_MIB * 1024 * 1024;

let tmp: string;
let longPath: string;
const floods: HeldChild[] = [];
let exporter: RunningExporter | undefined;

/** A file whose path is exactly `bytes` long, through nested 200-byte folders (NAME_MAX is 255). */
function makeLongPath(root: string, bytes: number): string {
  let dir = root;
  while (bytes - dir.length > 220) {
    dir = path.join(dir, 'd'.repeat(199));
    fs.mkdirSync(dir);
  }
  const file = path.join(dir, 'f'.repeat(bytes - dir.length - 1));
  fs.writeFileSync(file, 'pinned');
  return file;
}

/** In its own process group, so afterAll can end it and every child it forked at once. */
async function flood(args: string[]): Promise<HeldChild> {
  const child = spawn(compileFixture('flood', 'fl'), args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const held = await started(child, `flood ${args[0]}`);
  floods.push(held);
  return held;
}

function peakRssBytes(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for ${pid}`);
  return Number(m[1]) * 1024;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-memory-'));
  longPath = makeLongPath(tmp, PATH_BYTES);
  await flood(['deleted', longPath, String(DESCRIPTORS)]);
  await flood(['listeners', String(PROCESSES), String(LISTENERS_PER_PROCESS)]);
  exporter = await startExporter(['--scan.interval=2s'], { firstScanTimeoutMs: 120_000, nodeArgs: SHIPPED_NODE_FLAGS });
  await exporter.waitForScans(4, 180_000);
}, 400_000);

afterAll(async () => {
  for (const f of floods) {
    try {
      process.kill(-f.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exporter?.stop();
  await Promise.all(floods.map((f) => f.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('memory under a hostile host load', () => {
  it('sees the load: the deleted file with its 20,000 descriptors, and the 20,000 listeners', async () => {
    const text = await exporter!.metrics();
    const scanned = samplesOf(text, 'lsof_scan_fds')[0]!.value;
    expect(scanned).toBeGreaterThan(DESCRIPTORS + PROCESSES * LISTENERS_PER_PROCESS);
    const deleted = samplesOf(text, 'lsof_deleted_open_file_size_bytes').filter((s) => s.labels.path?.startsWith(tmp));
    expect(deleted.length).toBe(1);
  });

  it(`keeps the exporter's peak RSS under ${RSS_LIMIT_MIB} MiB`, () => {
    const peak = peakRssBytes(exporter!.child.pid!);
    process.stderr.write(`memory-bound: exporter VmHWM ${(peak / 1048576).toFixed(1)} MiB\n`);
    expect(peak, `VmHWM ${(peak / 1048576).toFixed(1)} MiB`).toBeLessThan(RSS_LIMIT_BYTES);
  });
});
