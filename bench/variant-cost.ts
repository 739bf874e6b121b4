/**
 * `node --expose-gc dist/bench/variant-cost.js [--procs=500 --fds=100] [--threads=16] [--memfds=0]
 *  [--rounds=5] [--repeats=2] [--busy]`: what one feature of a host costs a scan. The same workload (P
 * processes x F descriptors) runs plain (1 thread, no memfd) and as the variant (--threads per
 * process: the task walk of ordinary multi-threaded processes, issue 14 item 3; --memfds per
 * process: their stat, item 7), one after the other, --repeats times in turn, so a load that comes and
 * goes on a shared machine weighs on both. Each run: a steady scanner warmed over one cache age at
 * the 15 s interval (as npm run bench does), then --rounds of (replace 5%, a cold scan, a cycle of steady
 * scans as long as the cache age, whose mean is the steady figure).
 * Printed: median CPU per scan of each, the variant's extra as a share of the plain scan, and with
 * --threads the same variant scanned without the thread walk (scanner option threadWalk: false, in
 * turn with the shipped scanner): the walk's own cost, apart from what the kernel charges any reader
 * of a multi-threaded process's /proc files; and the walk's calls alone (task list, a stat of each thread's fd folder, a readlink of
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
import { DEFAULT_SCANNER_OPTIONS, Scanner, type ScannerOptions } from '../src/scan/scanner.js';
import { median } from './stats.js';
import { compileHelpers, type Binaries } from './tools.js';
import { Workload, type WorkloadOptions } from './workload.js';

const arg = (name: string, def: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);

const INTERVAL_MS = 15_000;
/** Steady scans in one cache age at that interval: a cycle in which every cached table expires once. */
const SCANS_PER_CACHE_AGE = DEFAULT_SCANNER_OPTIONS.fdMaxAgeMs / INTERVAL_MS;

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

/** One scanner setting measured on a workload, and where its figures go. */
interface Setting {
  options: ScannerOptions;
  into: Cpu;
}

/**
 * Rounds of (replace 5%, a cold scan, a cycle of steady scans as long as the cache age) for each
 * setting, the settings taking turns scan by scan (in the other order every round) so each pays the
 * same churn and kernel caches. A steady figure is the mean of a cycle: every cached table expires
 * once in it (50 to 100% of the cache age), so the thread walks a steady scanner makes when they
 * expire, and the churned processes' first walks, are all in it.
 */
async function measure(bin: Binaries, options: WorkloadOptions, rounds: number, busy: boolean, settings: Setting[]): Promise<void> {
  const load = new Workload(bin.workload, options);
  try {
    await load.startAll();
    const procfs = new ProcFs(new WorkloadOnly(load));
    const typescript = new ProcFs(new WorkloadOnly(load), { native: false });
    let clock = Date.now();
    const steady = settings.map((s) => new Scanner(procfs, s.options, () => clock));
    for (let aged = 0; aged <= DEFAULT_SCANNER_OPTIONS.fdMaxAgeMs; aged += INTERVAL_MS, clock += INTERVAL_MS) for (const s of steady) s.scan();
    for (let r = 0; r < rounds; r++) {
      await load.churn(0.05);
      const order = r % 2 === 0 ? settings.map((_, i) => i) : settings.map((_, i) => settings.length - 1 - i);
      for (const i of order) {
        const { options: o, into } = settings[i]!;
        into.cold.push(cpuOf(() => into.links.push(new Scanner(procfs, o).scan().stats.fdLinksRead)));
      }
      const cycle = settings.map(() => 0);
      for (let n = 0; n < SCANS_PER_CACHE_AGE; n++) {
        clock += INTERVAL_MS;
        if (busy) await Promise.all(load.live.map((p) => load.addListener(p)));
        for (const i of order) cycle[i]! += cpuOf(() => keepPhases(steady[i]!.scan().stats.phaseSeconds, settings[i]!.into.phases));
      }
      settings.forEach((s, i) => s.into.steady.push(cycle[i]! / SCANS_PER_CACHE_AGE));
      if ((options.threadsPerProcess ?? 1) > 1) measureWalkAlone(bin, procfs, typescript, [...load.pids()], settings[0]!.into);
    }
  } finally {
    await load.stopAll();
  }
}

/** The walk's calls alone over every workload process: native (when built), TypeScript, the C floor. */
function measureWalkAlone(bin: Binaries, procfs: ProcFs, typescript: ProcFs, pids: number[], into: Cpu): void {
  const baselines = baselinesOf(procfs, pids);
  into.walk.push(cpuOf(() => walk(procfs, pids, baselines)));
  into.walkTs.push(cpuOf(() => walk(typescript, pids, baselines)));
  into.walkFloor.push(walkFloor(bin, pids));
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
  const threaded = (variant.threadsPerProcess ?? 1) > 1;
  const plain = emptyCpu();
  const varied = emptyCpu();
  const unwalked = emptyCpu();
  const variantSettings: Setting[] = [{ options: DEFAULT_SCANNER_OPTIONS, into: varied }];
  if (threaded) variantSettings.push({ options: { ...DEFAULT_SCANNER_OPTIONS, threadWalk: false }, into: unwalked });
  try {
    for (let i = 0; i < arg('repeats', 2); i++) {
      await measure(bin, base, arg('rounds', 5), busy, [{ options: DEFAULT_SCANNER_OPTIONS, into: plain }]);
      await measure(bin, variant, arg('rounds', 5), busy, variantSettings);
    }
  } finally {
    fs.rmSync(bin.dir, { recursive: true, force: true });
  }
  const name = `threads=${variant.threadsPerProcess} memfds=${variant.memfdsPerProcess}`;
  console.log(`# ${base.processes} processes x ${base.fdsPerProcess} descriptors${busy ? ', busy (every table re-read each steady scan)' : ''}; plain: 1 thread, no memfd; variant: ${name}; median CPU per scan (steady: the mean of a cycle of ${SCANS_PER_CACHE_AGE} scans)`);
  console.log(`links read per cold scan: plain ${median(plain.links)}, variant ${median(varied.links)}`);
  for (const kind of ['cold', 'steady'] as const) {
    console.log(`${kind}: plain ${ms(median(plain[kind]))}, variant ${extra(median(varied[kind]), median(plain[kind]), 'plain')}`);
    if (threaded) console.log(`${kind}, the variant without the thread walk ${ms(median(unwalked[kind]))}; with it ${extra(median(varied[kind]), median(unwalked[kind]), 'unwalked')}: the walk's own cost`);
  }
  const phases = Object.keys(plain.phases).map((k) => `${k} ${ms(median(plain.phases[k]!))} -> ${ms(median(varied.phases[k] ?? []))}${threaded ? ` (unwalked ${ms(median(unwalked.phases[k] ?? []))})` : ''}`);
  console.log(`steady phases (wall, plain -> variant): ${phases.join(', ')}`);
  if (varied.walk.length > 0) {
    const w = median(varied.walk);
    const loop = new ProcFs(new ProcReader('/proc')).tasks.native ? 'in C' : 'TypeScript loop (no native addon)';
    console.log(`task walk alone over all ${base.processes} processes (what a cold scan pays), ${loop}: ${ms(w)} (${((w / median(varied.cold)) * 100).toFixed(1)}% of the variant's cold scan); by the TypeScript loop: ${ms(median(varied.walkTs))}; the same calls from C alone (bench/c/taskwalk.c): ${ms(median(varied.walkFloor))}`);
  }
}

function emptyCpu(): Cpu {
  return { cold: [], steady: [], walk: [], walkTs: [], walkFloor: [], links: [], phases: {} };
}

/** `value`, and what it adds to `base` in ms and as a share of it. */
function extra(value: number, base: number, baseName: string): string {
  return `${ms(value)}, extra ${ms(value - base)} (${(((value - base) / base) * 100).toFixed(1)}% of the ${baseName} scan)`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
