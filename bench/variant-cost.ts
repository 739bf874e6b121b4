/**
 * `node --expose-gc dist/bench/variant-cost.js [--procs=500 --fds=100] [--threads=16] [--memfds=0]
 *  [--rounds=5] [--repeats=2] [--busy]`: what one feature of a host costs a scan. The same workload (P
 * processes x F descriptors) runs plain (1 thread, no memfd) and as the variant (--threads per
 * process: the task walk of ordinary multi-threaded processes, issue 14 item 3; --memfds per
 * process: their stat, item 7), one after the other, --repeats times in turn, so a load that comes and
 * goes on a shared machine weighs on both. Each run: a steady scanner warmed over one cache age at
 * the 15 s interval (as npm run bench does), then --rounds of (replace 5%, a cold scan, a steady scan).
 * Printed: median CPU per scan of each, the variant's extra as a share of the plain scan, and with
 * --threads the walk's own calls alone (task list, a stat of each thread's fd folder, a readlink of
 * its ns/net), for every workload process at once: what a cold scan pays for it, by the loop the
 * scanner uses (in C when the native addon is built), by the TypeScript loop, and by a C program
 * making only those calls (bench/c/taskwalk.c: the kernel's own cost, the floor).
 * --busy: before each steady scan every process opens one more descriptor (a listener), so every
 * table is re-read, as a busy server's is every scan (its count moves).
 * The workload runs in a network namespace of its own and the scans list only its processes
 * (WorkloadOnly), so other work on a shared machine (another bench's thousands of processes and
 * sockets) is in neither figure.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { ProcFs } from '../src/procfs/proc.js';
import { ProcReader } from '../src/procfs/reader.js';
import type { TaskBaseline } from '../src/procfs/task-compare.js';
import { DEFAULT_SCANNER_OPTIONS, Scanner } from '../src/scan/scanner.js';
import { median } from './stats.js';
import { compileHelpers, type Binaries } from './tools.js';
import { Workload, type WorkloadOptions } from './workload.js';

const arg = (name: string, def: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);

const INTERVAL_MS = 15_000;

/** The procfs as the scanner sees it, listing only the workload's processes. */
class WorkloadOnly extends ProcReader {
  constructor(private readonly load: Workload) {
    super('/proc');
  }

  override listPids(): number[] {
    return [...this.load.pids(), ...(this.load.namespace?.pids ?? [])].sort((a, b) => a - b);
  }
}

interface Cpu {
  cold: number[];
  steady: number[];
  /** The walk's calls alone, as the scanner makes them (native when built), and by the TypeScript loop. */
  walk: number[];
  walkTs: number[];
  /** The same calls from a C program (bench/c/taskwalk.c): the kernel's floor. */
  walkFloor: number[];
  /** Descriptor links read per cold scan (a thread's table read shows here). */
  links: number[];
  /** Wall seconds of each phase of the steady scans, to tell where an extra goes. */
  phases: Record<string, number[]>;
}

function cpuOf(f: () => unknown): number {
  (globalThis as { gc?: () => void }).gc?.();
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/**
 * The task walk's calls for every process of the workload (compareTasks in src/scan/tasks.ts): in C
 * when the native addon is built and `procfs` uses it, else the TypeScript loop.
 */
function walk(procfs: ProcFs, pids: number[], baselines: Map<number, TaskBaseline>): void {
  for (const pid of pids) procfs.proc(pid).compareTasks(baselines.get(pid)!, new Set([pid]));
}

/** CPU seconds of the walk's calls alone in C, over the same processes (bench/c/taskwalk.c). */
function walkFloor(bin: Binaries, pids: number[]): number {
  const out = execFileSync(bin.taskwalk, ['1', ...pids.map(String)], { encoding: 'utf8' });
  const m = /cpu_seconds ([\d.]+)/.exec(out);
  if (!m) throw new Error(`taskwalk: unexpected output "${out}"`);
  return Number(m[1]);
}

/** Each process's own count and namespace, as the scanner compares its threads with them. */
function baselinesOf(procfs: ProcFs, pids: number[]): Map<number, TaskBaseline> {
  return new Map(pids.map((pid) => [pid, { fdCount: procfs.proc(pid).fdCount() ?? 0, netns: procfs.proc(pid).netns() }]));
}

async function measure(bin: Binaries, options: WorkloadOptions, rounds: number, busy: boolean, into: Cpu): Promise<void> {
  const load = new Workload(bin.workload, options);
  try {
    await load.startAll();
    const procfs = new ProcFs(new WorkloadOnly(load));
    const typescript = new ProcFs(new WorkloadOnly(load), { native: false });
    let clock = Date.now();
    const steady = new Scanner(procfs, DEFAULT_SCANNER_OPTIONS, () => clock);
    for (let aged = 0; aged <= DEFAULT_SCANNER_OPTIONS.fdMaxAgeMs; aged += INTERVAL_MS, clock += INTERVAL_MS) steady.scan();
    for (let r = 0; r < rounds; r++) {
      await load.churn(0.05);
      into.cold.push(cpuOf(() => into.links.push(new Scanner(procfs).scan().stats.fdLinksRead)));
      clock += INTERVAL_MS;
      if (busy) await Promise.all(load.live.map((p) => load.addListener(p)));
      into.steady.push(cpuOf(() => keepPhases(steady.scan().stats.phaseSeconds, into.phases)));
      if ((options.threadsPerProcess ?? 1) > 1) {
        const pids = [...load.pids()];
        const baselines = baselinesOf(procfs, pids);
        into.walk.push(cpuOf(() => walk(procfs, pids, baselines)));
        into.walkTs.push(cpuOf(() => walk(typescript, pids, baselines)));
        into.walkFloor.push(walkFloor(bin, pids));
      }
    }
  } finally {
    await load.stopAll();
  }
}

function keepPhases(phases: Readonly<Record<string, number>>, into: Record<string, number[]>): void {
  for (const [name, seconds] of Object.entries(phases)) (into[name] ??= []).push(seconds);
}

const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench runs as root (RLIMIT_NOFILE)');
  const bin = compileHelpers();
  const base: WorkloadOptions = { processes: arg('procs', 500), fdsPerProcess: arg('fds', 100), listenEvery: 5, nobodyEvery: 4, netns: true };
  const variant: WorkloadOptions = { ...base, threadsPerProcess: arg('threads', 16), memfdsPerProcess: arg('memfds', 0) };
  const busy = process.argv.includes('--busy');
  const plain: Cpu = { cold: [], steady: [], walk: [], walkTs: [], walkFloor: [], links: [], phases: {} };
  const varied: Cpu = { cold: [], steady: [], walk: [], walkTs: [], walkFloor: [], links: [], phases: {} };
  try {
    for (let i = 0; i < arg('repeats', 2); i++) {
      await measure(bin, base, arg('rounds', 5), busy, plain);
      await measure(bin, variant, arg('rounds', 5), busy, varied);
    }
  } finally {
    fs.rmSync(bin.dir, { recursive: true, force: true });
  }
  const name = `threads=${variant.threadsPerProcess} memfds=${variant.memfdsPerProcess}`;
  console.log(`# ${base.processes} processes x ${base.fdsPerProcess} descriptors${busy ? ', busy (every table re-read each steady scan)' : ''}; plain: 1 thread, no memfd; variant: ${name}; median CPU per scan`);
  for (const kind of ['cold', 'steady'] as const) {
    const p = median(plain[kind]);
    const v = median(varied[kind]);
    if (kind === 'cold') console.log(`links read per cold scan: plain ${median(plain.links)}, variant ${median(varied.links)}`);
    console.log(`${kind}: plain ${ms(p)}, variant ${ms(v)}, extra ${ms(v - p)} (${(((v - p) / p) * 100).toFixed(1)}% of the plain scan)`);
  }
  const phases = Object.keys(plain.phases).map((k) => `${k} ${ms(median(plain.phases[k]!))} -> ${ms(median(varied.phases[k] ?? []))}`);
  console.log(`steady phases (wall, plain -> variant): ${phases.join(', ')}`);
  if (varied.walk.length > 0) {
    const w = median(varied.walk);
    const loop = new ProcFs(new ProcReader('/proc')).tasks.native ? 'in C' : 'TypeScript loop (no native addon)';
    console.log(`task walk alone over all ${base.processes} processes (what a cold scan pays), ${loop}: ${ms(w)} (${((w / median(varied.cold)) * 100).toFixed(1)}% of the variant's cold scan); by the TypeScript loop: ${ms(median(varied.walkTs))}; the same calls from C alone (bench/c/taskwalk.c): ${ms(median(varied.walkFloor))}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
