/**
 * What one evaluation of an expression costs the Prometheus that holds the fleet: the samples the
 * engine touched (`stats=all`: totalQueryableSamples), its evaluation time (median of the runs'
 * evalTotalTime) and the process CPU per run (utime + stime of /proc/PID/stat across the runs, so
 * the Go runtime's garbage collection is included). Each expression is queried at the end of the
 * data, as a rule evaluation at that moment would be.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface QueryCost {
  samples: number;
  evalSeconds: number;
  cpuSeconds: number;
  runs: number;
  resultSeries: number;
}

interface QueryResponse {
  status: string;
  error?: string;
  data: { result: unknown[]; stats?: { timings: { evalTotalTime: number }; samples: { totalQueryableSamples: number } } };
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function query(url: string, expr: string, timeSeconds: number): Promise<QueryResponse['data']> {
  const params = new URLSearchParams({ query: expr, time: String(timeSeconds), stats: 'all' });
  const body = (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as QueryResponse;
  if (body.status !== 'success') throw new Error(`query failed: ${body.error}\n${expr}`);
  if (!body.data.stats) throw new Error('no query statistics in the answer: is Prometheus 2.35 or later?');
  return body.data;
}

/** Runs the expression once to warm caches, then at least 5 times and until `minSeconds` of CPU or `maxRuns` have passed. */
export async function measureExpr(url: string, pid: number, expr: string, atSeconds: number, minSeconds: number, maxRuns = 500): Promise<QueryCost> {
  const first = await query(url, expr, atSeconds);
  const evals: number[] = [];
  const cpuBefore = processCpuSeconds(pid);
  while (evals.length < 5 || (evals.length < maxRuns && processCpuSeconds(pid) - cpuBefore < minSeconds)) {
    evals.push((await query(url, expr, atSeconds)).stats!.timings.evalTotalTime);
  }
  const cpuSeconds = (processCpuSeconds(pid) - cpuBefore) / evals.length;
  evals.sort((a, b) => a - b);
  return {
    samples: first.stats!.samples.totalQueryableSamples,
    evalSeconds: evals[Math.floor(evals.length / 2)]!,
    cpuSeconds,
    runs: evals.length,
    resultSeries: first.result.length,
  };
}
