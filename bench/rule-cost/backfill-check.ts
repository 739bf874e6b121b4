/**
 * The backfill the runbook tells operators to run when they first load the history rules
 * (`promtool tsdb create-blocks-from rules`), run against the bench's Prometheus: it must evaluate
 * the history group at the group's own interval and write what the bench wrote for the same hours,
 * which checks both the command and the bench's synthetic history.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BackfillCheck {
  hours: number;
  series: number;
  samples: number;
  ok: boolean;
}

/** How many series the rules' expressions give at `atSeconds`: what each evaluation records. */
export async function seriesOfRules(url: string, exprs: string[], atSeconds: number): Promise<number> {
  let n = 0;
  for (const expr of exprs) {
    const params = new URLSearchParams({ query: expr, time: String(atSeconds) });
    const body = (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as { status: string; data: { result: unknown[] } };
    if (body.status !== 'success') throw new Error(`query failed: ${expr}`);
    n += body.data.result.length;
  }
  return n;
}

/**
 * Backfills the `hours` before `endSeconds` and reads back what promtool wrote: as many series as
 * the rules give (`expectedSeries`), at 1 and exactly one history interval apart (promtool places the evaluations
 * at the group's own phase within the hour, as the rule manager does, so an hour's worth of window
 * holds one or none of them at its edges).
 */
export async function checkRuleBackfill(url: string, historyRules: string, endSeconds: number, expectedSeries: number, intervalSeconds: number, hours: number, workDir: string): Promise<BackfillCheck> {
  const out = fs.mkdtempSync(path.join(workDir, 'rules-backfill-'));
  const start = endSeconds - hours * 3600;
  await run('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'rules', '--quiet', `--url=${url}`, `--start=${start}`, `--end=${endSeconds}`, `--output-dir=${out}`, historyRules]);
  fs.mkdirSync(path.join(out, 'wal')); // promtool tsdb dump opens a TSDB, which wants one
  const dump = (await run('/usr/bin/promtool', ['tsdb', 'dump', out], { maxBuffer: 512 * 1024 * 1024 })).stdout.trim().split('\n').filter(Boolean);
  fs.rmSync(out, { recursive: true, force: true });
  const times = new Map<string, number[]>();
  let allOnes = true;
  for (const line of dump) {
    const end = line.lastIndexOf('}') + 1;
    const [value, ms] = line.slice(end + 1).split(' ');
    allOnes &&= value === '1';
    times.set(line.slice(0, end), [...(times.get(line.slice(0, end)) ?? []), Number(ms)]);
  }
  const spaced = [...times.values()].every((ts) => ts.length >= hours * 3600 / intervalSeconds - 1 && ts.every((t, i) => i === 0 || t - ts[i - 1]! === intervalSeconds * 1000));
  return { hours, series: times.size, samples: dump.length, ok: allOnes && spaced && times.size === expectedSeries };
}
