/**
 * `node dist/bench/profile-scan.js [--procs=200 --fds=500] [--scans=5] [--watch=N]`: the workload without
 * the other tools, and the exporter's per-phase times for cold and steady scans (for profiling with
 * --cpu-prof). --watch=N watches N paths (--watch.path): the workload's folder, whose held files every
 * workload process opens, and N-1 paths nothing holds (the matching cost of a long list).
 */
import fs from 'node:fs';
import { ProcFs } from '../src/procfs/proc.js';
import { watchList } from '../src/procfs/watched-paths.js';
import { DEFAULT_SCANNER_OPTIONS, Scanner } from '../src/scan/scanner.js';
import { compileHelpers } from './tools.js';
import { Workload } from './workload.js';

const arg = (name: string, def: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);

async function main(): Promise<void> {
  const bin = compileHelpers();
  const load = new Workload(bin.workload, { processes: arg('procs', 200), fdsPerProcess: arg('fds', 500), listenEvery: 5, nobodyEvery: 4 });
  try {
    await load.startAll();
    const watches = watchList(Array.from({ length: arg('watch', 0) }, (_, i) => (i === 0 ? load.dir : `/srv/www/site${i}`)));
    const reader = ProcFs.at('/proc', '/', { watches });
    let clock = Date.now();
    const steady = new Scanner(reader, DEFAULT_SCANNER_OPTIONS, () => clock);
    for (let i = 0; i < arg('scans', 5); i++) {
      await load.churn(0.05);
      for (const [name, scanner] of [['cold', new Scanner(reader)], ['steady', steady]] as const) {
        clock += 15_000;
        const cpu0 = process.cpuUsage();
        const ctx = scanner.scan();
        const s = ctx.stats;
        const cpu = process.cpuUsage(cpu0);
        const phases = Object.entries(s.phaseSeconds).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ');
        const held = (ctx.watchedPaths ?? []).reduce((n, r) => n + r.descriptors, 0);
        console.log(`${name} procs=${s.processesScanned} watches=${watches.paths.length} watched_fds=${held} cpu=${((cpu.user + cpu.system) / 1e6).toFixed(3)} wall=${s.durationSeconds.toFixed(3)} ${phases} links=${s.fdLinksRead} hits=${s.cacheHits}`);
      }
    }
  } finally {
    await load.stopAll();
    fs.rmSync(bin.dir, { recursive: true, force: true });
  }
}

void main();
