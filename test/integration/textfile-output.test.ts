/**
 * --output.textfile: after each scan the exporter replaces the file by a rename (a new inode each
 * time), so a reader polling it as fast as it can (node_exporter's textfile collector) never sees a
 * half-written exposition, and what it reads passes promtool.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { familyNames, parseExposition, samplesOf } from '../support/exposition.js';
import { waitFor } from '../support/wait.js';
import { HTTP_FAMILIES } from '../../src/http/http-metrics.js';

let dir: string;
let file: string;
let exporter: RunningExporter;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-textfile-'));
  file = path.join(dir, 'lsof.prom');
  exporter = await startExporter([`--output.textfile=${file}`, '--scan.interval=200ms'], { firstScanTimeoutMs: 100_000 });
});

afterAll(async () => {
  await exporter?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('textfile output', () => {
  it('is always a whole exposition while it is rewritten after each scan', async () => {
    await waitFor(() => fs.existsSync(file), 'the first textfile');
    const inodes = new Set<bigint>();
    const scans = new Set<number>();
    let reads = 0;
    await waitFor(() => {
      for (let i = 0; i < 50; i++, reads++) {
        const fd = fs.openSync(file, 'r');
        try {
          inodes.add(fs.fstatSync(fd, { bigint: true }).ino);
          const text = fs.readFileSync(fd, 'utf8');
          expect(text.endsWith('\n')).toBe(true);
          expect(() => parseExposition(text)).not.toThrow();
          const s = samplesOf(text, 'lsof_scans_total').find((x) => x.labels.result === 'success');
          expect(s).toBeDefined();
          scans.add(s!.value);
        } finally {
          fs.closeSync(fd);
        }
      }
      return inodes.size >= 5 && scans.size >= 5;
    }, 'five rewrites', 55_000, 20);
    expect(reads).toBeGreaterThan(50);
  });

  it('leaves no temporary files behind beside it', () => {
    const others = fs.readdirSync(dir).filter((n) => n !== 'lsof.prom');
    // a rename may be under way at this very moment: at most the one temp file of that write
    expect(others.length).toBeLessThanOrEqual(1);
    for (const n of others) expect(n).toMatch(/^\.lsof\.prom\.\d+\.[0-9a-f]{8}\.tmp$/);
  });

  it('holds the lsof_ families of /metrics, none of the runtime ones node_exporter has itself, and passes promtool', async () => {
    const copy = path.join(dir, 'copy.txt');
    fs.copyFileSync(file, copy);
    const served = familyNames(await exporter.metrics());
    expect(served.some((n) => n.startsWith('process_'))).toBe(true);
    // the HTTP endpoint's own families describe the server, not the host: not in the textfile
    const hostFamilies = served.filter((n) => n.startsWith('lsof_') && !(HTTP_FAMILIES as readonly string[]).includes(n));
    expect(familyNames(fs.readFileSync(copy, 'utf8')).sort()).toEqual(hostFamilies.sort());
    const out = execFileSync('sh', ['-c', `promtool check metrics < '${copy}' 2>&1; echo "exit=$?"`]).toString();
    expect(out.trim()).toBe('exit=0');
    fs.rmSync(copy);
  });
});
