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
 * Backfills `hours` hours from a 2h boundary before `endSeconds` (promtool cuts the range at 2h
 * block boundaries and places the evaluations at the group's phase after each cut: from a boundary
 * they stay one interval apart) and reads back what promtool wrote: `hours` samples of 1 per
 * series, one history interval apart, for as many series as the rules give then.
 */
export async function checkRuleBackfill(url: string, historyRules: string, exprs: string[], endSeconds: number, intervalSeconds: number, hours: number, workDir: string): Promise<BackfillCheck> {
  const out = fs.mkdtempSync(path.join(workDir, 'rules-backfill-'));
  const start = Math.floor((endSeconds - (hours + 1) * 3600) / 7200) * 7200;
  const end = start + hours * 3600;
  const expectedSeries = await seriesOfRules(url, exprs, end - intervalSeconds);
  await run('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'rules', '--quiet', `--url=${url}`, `--start=${start}`, `--end=${end}`, `--output-dir=${out}`, historyRules]);
  fs.mkdirSync(path.join(out, 'wal')); // promtool tsdb dump opens a TSDB, which wants one
  const dump = (await run('/usr/bin/promtool', ['tsdb', 'dump', out], { maxBuffer: 512 * 1024 * 1024 })).stdout.trim().split('\n').filter(Boolean);
  fs.rmSync(out, { recursive: true, force: true });
  const times = new Map<string, number[]>();
  let allOnes = true;
  for (const line of dump) {
    const close = line.lastIndexOf('}') + 1;
    const [value, ms] = line.slice(close + 1).split(' ');
    allOnes &&= value === '1';
    times.set(line.slice(0, close), [...(times.get(line.slice(0, close)) ?? []), Number(ms)]);
  }
  const perSeries = (hours * 3600) / intervalSeconds;
  const spaced = [...times.values()].every((ts) => ts.length === perSeries && ts.every((t, i) => i === 0 || t - ts[i - 1]! === intervalSeconds * 1000));
  return { hours, series: times.size, samples: dump.length, ok: allOnes && spaced && times.size === expectedSeries && expectedSeries > 0 };
}
