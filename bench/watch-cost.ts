/**
 * `node dist/bench/watch-cost.js [--fds=10000] [--reads=100]`: what --watch.path costs per descriptor
 * link. One workload process holds --fds descriptors (files in the workload's folder, and the folder
 * itself), and its table is read --reads times on each descriptor path with 0 watched paths, 1 (the
 * folder: every file link matches) and 64 (the maximum: the folder and 63 paths nothing holds, so
 * every file link is compared with all 64). Prints CPU nanoseconds per link read (median of 5 runs).
 */
import fs from 'node:fs';
import { ProcFs } from '../src/procfs/proc.js';
import { watchList } from '../src/procfs/watched-paths.js';
import { median } from './stats.js';
import { compileHelpers } from './tools.js';
import { Workload } from './workload.js';

const arg = (name: string, def: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);

function nsPerLink(procfs: ProcFs, pid: number, reads: number): { ns: number; hits: number } {
  let links = 0;
  let hits = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < reads; i++) {
    const t = procfs.proc(pid).fdTable();
    links += t.count;
    hits = t.watchedHits?.[1] ?? 0;
  }
  const cpu = process.cpuUsage(cpu0);
  return { ns: ((cpu.user + cpu.system) * 1000) / links, hits };
}

async function main(): Promise<void> {
  const bin = compileHelpers();
  const load = new Workload(bin.workload, { processes: 1, fdsPerProcess: arg('fds', 10_000), listenEvery: 0, nobodyEvery: 0 });
  try {
    await load.startAll();
    const pid = [...load.pids()][0]!;
    const reads = arg('reads', 100);
    const lists = { 0: watchList([]), 1: watchList([load.dir]), 64: watchList(Array.from({ length: 64 }, (_, i) => (i === 0 ? load.dir : `/srv/www/site${i}`))) };
    for (const native of [true, false]) {
      for (const [n, watches] of Object.entries(lists)) {
        const procfs = ProcFs.at('/proc', '/', { native, watches });
        const runs = Array.from({ length: 5 }, () => nsPerLink(procfs, pid, native ? reads : Math.ceil(reads / 4)));
        console.log(`native=${native} watches=${n} ns_per_link=${median(runs.map((r) => r.ns)).toFixed(0)} matched_links=${runs[0]!.hits}`);
      }
    }
  } finally {
    await load.stopAll();
    fs.rmSync(bin.dir, { recursive: true, force: true });
  }
}

void main();
