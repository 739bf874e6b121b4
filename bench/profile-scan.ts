/**
 * `node dist/bench/profile-scan.js [--procs=200 --fds=500] [--scans=5]`: the workload without the other
 * tools, and the exporter's per-phase times for cold and steady scans (for profiling with --cpu-prof).
 */
import fs from 'node:fs';
import { ProcFs } from '../src/procfs/proc.js';
import { DEFAULT_SCANNER_OPTIONS, Scanner } from '../src/scan/scanner.js';
import { compileHelpers } from './tools.js';
import { Workload } from './workload.js';

const arg = (name: string, def: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);

async function main(): Promise<void> {
  const bin = compileHelpers();
  const load = new Workload(bin.workload, { processes: arg('procs', 200), fdsPerProcess: arg('fds', 500), listenEvery: 5, nobodyEvery: 4 });
  try {
    await load.startAll();
    const reader = ProcFs.at('/proc');
    let clock = Date.now();
    const steady = new Scanner(reader, DEFAULT_SCANNER_OPTIONS, () => clock);
    for (let i = 0; i < arg('scans', 5); i++) {
      await load.churn(0.05);
      for (const [name, scanner] of [['cold', new Scanner(reader)], ['steady', steady]] as const) {
        clock += 15_000;
        const cpu0 = process.cpuUsage();
        const s = scanner.scan().stats;
        const cpu = process.cpuUsage(cpu0);
        const phases = Object.entries(s.phaseSeconds).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ');
        console.log(`${name} procs=${s.processesScanned} cpu=${((cpu.user + cpu.system) / 1e6).toFixed(3)} wall=${s.durationSeconds.toFixed(3)} ${phases} links=${s.fdLinksRead} hits=${s.cacheHits}`);
      }
    }
  } finally {
    await load.stopAll();
    fs.rmSync(bin.dir, { recursive: true, force: true });
  }
}

void main();
