/**
 * Smoke run of `npm run bench:rules` (bench/rule-cost) at a small size: it backfills with promtool,
 * starts a real Prometheus, writes the last hours into its head by remote write, checks the
 * runbook's history backfill, queries every rule and prints the tables. The >= 50x target is the bench's to judge at full size (docs/benchmarks.md), not this test's.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = `${ROOT}dist/bench/rule-cost/main.js`;

/** Every rule name of a rule file. */
function ruleNames(file: string): string[] {
  const { groups } = parse(fs.readFileSync(`${ROOT}${file}`, 'utf8')) as { groups: { rules: { alert?: string; record?: string }[] }[] };
  return groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record!));
}

/** Samples per 1,000 series of a row of the size table (its fifth column). */
function samplesPer1k(out: string, name: string, set: string): number {
  const row = out.split('\n').find((l) => l.startsWith(`${name} `) && l.split(/\s+/)[1] === set);
  expect(row, `${name} ${set}`).toBeDefined();
  return Number(row!.split(/\s+/)[4]!.replace(/,/g, ''));
}

function ourProcesses(): string[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      } catch {
        return ''; // exited meanwhile
      }
    })
    .filter((cmd) => cmd.includes('lsof-rule-cost-'));
}

describe('npm run bench:rules', () => {
  it('measures every rule of the shipped files and the baseline on two small fleets, and leaves nothing running', async () => {
    // Exit code 1 is a missed target, expected at this size (one day of history): the tables still print.
    const { stdout } = await run(process.execPath, [MAIN, '--sizes=1x10,2x10', '--days=1', '--min-cpu-seconds=0'], { cwd: ROOT }).catch(
      (err: { code?: number; stdout?: string; stderr?: string }) => {
        if (err.code !== 1 || !err.stdout?.includes('ratio:')) throw new Error(`bench:rules failed:\n${err.stdout}${err.stderr}`);
        return { stdout: err.stdout };
      },
    );
    expect(stdout).toMatch(/1x10: [\d,]+ samples, in \d+ blocks and the last 2.5h in the head/);
    expect(stdout).toMatch(/create-blocks-from rules, 4 h: \d+ samples of \d+ series, an interval apart: ok/);
    for (const name of [...ruleNames('alerts/lsof-exporter.rules.yml'), ...ruleNames('alerts/lsof-exporter-history.rules.yml')]) {
      expect(stdout).toContain(`\n${name} `);
    }
    // The shipped alert reads hours where the baseline reads every scrape of the history.
    expect(samplesPer1k(stdout, 'LsofNewListener', 'now')).toBeLessThan(samplesPer1k(stdout, 'LsofNewListener', 'before') / 5);
    // At this size a query can cost less CPU than a clock tick: that ratio is then n/a.
    expect(stdout).toMatch(/ratio: \d+x fewer samples, \d+x less evaluation time, (\d+x|n\/a \(under a clock tick\)) less CPU \(target >= 50x samples and CPU\): (PASS|FAIL)/);
    expect(stdout).toMatch(/CPU per evaluation, fitted through 1x10 and 2x10: before [\d.]+ ms a query \+ [\d.]+ µs a series; now [\d.]+ ms a query \+ [\d.]+ µs a series; per-series ratio (\d+x|n\/a)/);
    expect(stdout).toMatch(/\| 10,000 \| 100,000 \| [\d.]+ s \|/);
    expect(ourProcesses()).toEqual([]);
  }, 90_000);
});
