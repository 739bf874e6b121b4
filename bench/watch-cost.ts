/**
 * `node dist/bench/watch-cost.js [--fds=10000] [--rounds=15]`: what --watch.path costs per descriptor
 * link. One workload process holds --fds descriptors (files in the workload's folder, and the folder
 * itself), and its table is read on each descriptor path with 0 watched paths, 1 (the folder: every
 * file link matches) and 64 (the maximum: the folder and 63 paths nothing holds, so every file link
 * is compared with all 64). The configurations take turns within each round, so a load that comes
 * and goes on a shared machine weighs on all of them alike; the medians over the rounds are printed
 * as CPU nanoseconds per link read. Last, the comparison alone (the TypeScript matcher over the
 * table's file links, no I/O), per link.
 */
import fs from 'node:fs';
import { ProcFs } from '../src/procfs/proc.js';
import { watchList, WatchHits, type WatchList } from '../src/procfs/watched-paths.js';
import { median } from './stats.js';
import { compileHelpers } from './tools.js';
import { Workload } from './workload.js';

const arg = (name: string, def: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);

function cpuNsPerLink(procfs: ProcFs, pid: number, reads: number): number {
  let links = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < reads; i++) links += procfs.proc(pid).fdTable().count;
  const cpu = process.cpuUsage(cpu0);
  return ((cpu.user + cpu.system) * 1000) / links;
}

/** The matcher alone over `paths` (the file links of the table), in ns per link. */
function matchNsPerLink(paths: string[], watches: WatchList, reps: number): number {
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) {
    const hits = new WatchHits(watches);
    for (const p of paths) hits.add(p);
    hits.pairs();
  }
  return Number(process.hrtime.bigint() - t0) / (reps * paths.length);
}

async function main(): Promise<void> {
  const bin = compileHelpers();
  const load = new Workload(bin.workload, { processes: 1, fdsPerProcess: arg('fds', 10_000), listenEvery: 0, nobodyEvery: 0 });
  try {
    await load.startAll();
    const pid = [...load.pids()][0]!;
    const lists: [string, WatchList][] = [
      ['0', watchList([])],
      ['1', watchList([load.dir])],
      ['64', watchList(Array.from({ length: 64 }, (_, i) => (i === 0 ? load.dir : `/srv/www/site${i}`)))],
    ];
    const configs = [true, false].flatMap((native) => lists.map(([n, watches]) => ({ name: `native=${native} watches=${n}`, native, procfs: ProcFs.at('/proc', '/', { native, watches }), ns: [] as number[] })));
    for (let round = 0; round < arg('rounds', 15); round++) {
      for (const c of configs) c.ns.push(cpuNsPerLink(c.procfs, pid, c.native ? 8 : 4));
    }
    for (const c of configs) console.log(`${c.name} cpu_ns_per_link=${median(c.ns).toFixed(0)}`);
    const dir = `/proc/${pid}/fd`;
    const paths = fs.readdirSync(dir).map((fd) => { try { return fs.readlinkSync(`${dir}/${fd}`, { encoding: 'latin1' }); } catch { return ''; } }).filter((t) => t.startsWith('/'));
    for (const [n, watches] of lists.slice(1)) console.log(`matcher alone watches=${n} ns_per_file_link=${median(Array.from({ length: 9 }, () => matchNsPerLink(paths, watches, 20))).toFixed(0)} (${paths.length} file links)`);
  } finally {
    await load.stopAll();
    fs.rmSync(bin.dir, { recursive: true, force: true });
  }
}

void main();
