/**
 * What one evaluation of an expression costs the Prometheus that holds the fleet: the samples the
 * engine touched (`stats=all`: totalQueryableSamples), its evaluation time (median of the runs'
 * evalTotalTime) and the process CPU per run (utime + stime of /proc/PID/stat across the runs, so
 * the Go runtime's garbage collection is included). Each expression is queried at the end of the
 * data, as a rule evaluation at that moment would be; all of them interleaved.
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

/**
 * A full garbage collection (the heap profile endpoint runs one first), outside any measurement: the
 * garbage of the previous expression (the old rule makes hundreds of MB) is then not collected on
 * the CPU of the next one. Each expression still pays the collections its own queries trigger.
 */
async function collectGarbage(url: string): Promise<void> {
  const response = await fetch(`${url}/debug/pprof/heap?gc=1`);
  if (!response.ok) throw new Error(`GET /debug/pprof/heap?gc=1: ${response.status}`);
  await response.arrayBuffer();
}

/**
 * Measures several expressions interleaved: each is run once to warm caches, then in `rounds` rounds
 * each expression in turn runs until it has spent `minSeconds / rounds` of CPU (at least once, at
 * most `maxRuns / rounds` times), after a full garbage collection. A load that changes during the
 * measurement (a shared machine) then falls on every expression alike, not on whichever ran at the
 * wrong moment.
 */
export async function measureExprs(url: string, pid: number, exprs: string[], atSeconds: number, minSeconds: number, rounds = 5, maxRuns = 500): Promise<QueryCost[]> {
  const firsts: QueryResponse['data'][] = [];
  for (const expr of exprs) firsts.push(await query(url, expr, atSeconds));
  const evals: number[][] = exprs.map(() => []);
  const cpu = exprs.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (const [i, expr] of exprs.entries()) {
      await collectGarbage(url);
      const before = processCpuSeconds(pid);
      let runs = 0;
      while (runs < 1 || (runs < maxRuns / rounds && processCpuSeconds(pid) - before < minSeconds / rounds)) {
        evals[i]!.push((await query(url, expr, atSeconds)).stats!.timings.evalTotalTime);
        runs++;
      }
      cpu[i]! += processCpuSeconds(pid) - before;
    }
  }
  return exprs.map((_, i) => {
    const sorted = [...evals[i]!].sort((a, b) => a - b);
    return {
      samples: firsts[i]!.stats!.samples.totalQueryableSamples,
      evalSeconds: sorted[Math.floor(sorted.length / 2)]!,
      cpuSeconds: cpu[i]! / sorted.length,
      runs: sorted.length,
      resultSeries: firsts[i]!.result.length,
    };
  });
}
