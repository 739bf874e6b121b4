/**
 * The side-by-side part: in each round, replace a share of the workload, then run every scanner once
 * (the order rotates between rounds so no tool always runs on a warmer page cache) and keep its CPU
 * and wall time. Findings of every tool are cross-checked against the workload in every round.
 */
import { ProcFs } from '../src/procfs/proc.js';
import { DEFAULT_SCANNER_OPTIONS, Scanner, type ScannerOptions } from '../src/scan/scanner.js';
import type { ScanContext as Snapshot } from '../src/scan/context.js';
import type { ScanPhase } from '../src/scan/scan-stats.js';
import {
  compareFindings,
  expectedFindings,
  exporterFindings,
  floorFindings,
  lsofFindings,
  ssFindings,
  type Findings,
} from './cross-check.js';
import { runMeasured, type Binaries } from './tools.js';
import type { Workload } from './workload.js';

export const TOOLS = ['exporter_cold', 'exporter_steady', 'floor_c', 'lsof', 'lsof_i', 'ss'] as const;
export type Tool = (typeof TOOLS)[number];

export interface Sample {
  cpuSeconds: number;
  wallSeconds: number;
}

export interface RoundsResult {
  samples: Record<Tool, Sample[]>;
  /** Steady scans: processes whose descriptor table came from the cache, and links read. */
  steady: { cacheHits: number; cacheMisses: number; fdLinksRead: number; fdsScanned: number; phaseSeconds: Record<ScanPhase, number> }[];
  mismatches: string[];
}

export interface RoundsOptions {
  rounds: number;
  churnShare: number;
  /** The full-scan interval the steady scanner's clock advances by between scans (cache ages). */
  scanIntervalMs: number;
  scanner: ScannerOptions;
  /** The tools to run (all by default); lsof dominates the bench's run time at 500x1000. */
  tools: readonly Tool[];
}

export const DEFAULT_ROUNDS: RoundsOptions = { rounds: 3, churnShare: 0.05, scanIntervalMs: 15_000, scanner: DEFAULT_SCANNER_OPTIONS, tools: TOOLS };

/**
 * A synchronous scan in this process, timed by process CPU usage (nothing else runs meanwhile).
 * Garbage left by the previous tool (a cold scan's tables) is collected first when the bench runs
 * with --expose-gc (npm run bench does), so no scan pays for another's garbage.
 */
function timedScan(scanner: Scanner): { sample: Sample; snapshot: Snapshot } {
  (globalThis as { gc?: () => void }).gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const snapshot = scanner.scan();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { sample: { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds }, snapshot };
}

export async function runRounds(bin: Binaries, load: Workload, opts: RoundsOptions, log: (s: string) => void): Promise<RoundsResult> {
  const empty: RoundsResult = { samples: Object.fromEntries(TOOLS.map((t) => [t, []])) as unknown as Record<Tool, Sample[]>, steady: [], mismatches: [] };
  if (opts.rounds === 0) return empty;
  const reader = ProcFs.at('/proc');
  let clockMs = Date.now();
  const steadyScanner = new Scanner(reader, opts.scanner, () => clockMs);
  // Warm the caches, then run one full cache age of scans at the interval, so the steady scans below
  // pay their amortised share of expired tables (not just the churned processes).
  steadyScanner.scan();
  for (let aged = 0; aged < opts.scanner.fdMaxAgeMs; aged += opts.scanIntervalMs) {
    clockMs += opts.scanIntervalMs;
    steadyScanner.scan();
  }
  const result = empty;

  const run: Record<Tool, () => Promise<{ sample: Sample; findings: Findings; check: { listeners: boolean; deleted: boolean } }>> = {
    exporter_cold: async () => {
      const { sample, snapshot } = timedScan(new Scanner(reader, opts.scanner));
      return { sample, findings: exporterFindings(snapshot, load.pids()), check: { listeners: true, deleted: true } };
    },
    exporter_steady: async () => {
      clockMs += opts.scanIntervalMs;
      const { sample, snapshot } = timedScan(steadyScanner);
      const s = snapshot.stats;
      result.steady.push({ cacheHits: s.cacheHits, cacheMisses: s.cacheMisses, fdLinksRead: s.fdLinksRead, fdsScanned: s.fdsScanned, phaseSeconds: s.phaseSeconds });
      return { sample, findings: exporterFindings(snapshot, load.pids()), check: { listeners: true, deleted: true } };
    },
    floor_c: async () => external(bin.floor, [], (out) => floorFindings(out, load.pids()), { listeners: true, deleted: true }),
    lsof: async () => external('lsof', ['-n', '-P'], (out) => lsofFindings(out, load.pids()), { listeners: true, deleted: true }),
    lsof_i: async () => external('lsof', ['-n', '-P', '-i'], (out) => lsofFindings(out, load.pids()), { listeners: true, deleted: false }),
    ss: async () => external('ss', ['-ltnup'], (out) => ssFindings(out, load.pids()), { listeners: true, deleted: false }),
  };
  async function external(cmd: string, args: string[], parse: (out: string) => Findings, check: { listeners: boolean; deleted: boolean }) {
    const m = await runMeasured(bin, cmd, args);
    return { sample: { cpuSeconds: m.cpuSeconds, wallSeconds: m.wallSeconds }, findings: parse(m.stdout), check };
  }

  for (let r = 0; r < opts.rounds; r++) {
    const churned = await load.churn(opts.churnShare);
    const want = expectedFindings(load);
    const order = opts.tools.map((_, i) => opts.tools[(i + r) % opts.tools.length]!);
    for (const tool of order) {
      const { sample, findings, check } = await run[tool]();
      result.samples[tool].push(sample);
      result.mismatches.push(...compareFindings(`round ${r + 1} ${tool}`, findings, want, check));
    }
    log(`round ${r + 1}/${opts.rounds}: replaced ${churned} processes; ` + order.map((t) => `${t} ${result.samples[t].at(-1)!.cpuSeconds.toFixed(3)}s`).join(', '));
  }
  return result;
}
