/** The bench's printed result: medians and ratios per tool, and PASS/FAIL against issue 5's targets. */
import { median } from './stats.js';
import { SCAN_PHASES } from '../src/scan/scan-stats.js';
import { TOOLS, type RoundsResult } from './scan-rounds.js';
import type { BriefListenerCatch, UnderLoadResult } from './exporter-bench.js';
import { percentile } from './stats.js';

export interface SizeResult {
  processes: number;
  fdsPerProcess: number;
  fdsScanned: number;
  rounds: RoundsResult;
  underLoad?: UnderLoadResult;
  listenerLatencySeconds?: number[];
  briefCatch?: BriefListenerCatch;
}

export const TARGETS = {
  steadyToFloorCpu: 0.25,
  coldToFloorCpu: 1.3,
  newListenerSeconds: 2,
  /** Issue 16: listen() to /metrics with process and user, at a 250 ms poll. */
  briefListenerP99Seconds: 0.5,
  metricsP99Ms: 50,
  rssBytes: 120 * 1024 * 1024,
};

const MiB = 1024 * 1024;
const f3 = (n: number) => n.toFixed(3);

export function formatSize(r: SizeResult): string[] {
  const lines: string[] = [];
  const floorCpu = median(r.rounds.samples.floor_c.map((s) => s.cpuSeconds));
  const floorWall = median(r.rounds.samples.floor_c.map((s) => s.wallSeconds));
  lines.push(`## ${r.processes} processes x ${r.fdsPerProcess} fds (${r.fdsScanned} fds on the host), ${r.rounds.samples.floor_c.length} rounds`);
  if (r.rounds.samples.floor_c.length) lines.push('| tool | CPU s (median) | wall s (median) | CPU / floor | wall / floor | us CPU per fd |', '|---|---|---|---|---|---|');
  for (const t of r.rounds.samples.floor_c.length ? TOOLS.filter((x) => r.rounds.samples[x].length) : []) {
    const cpu = median(r.rounds.samples[t].map((s) => s.cpuSeconds));
    const wall = median(r.rounds.samples[t].map((s) => s.wallSeconds));
    lines.push(`| ${t} | ${f3(cpu)} | ${f3(wall)} | ${(cpu / floorCpu).toFixed(2)}x | ${(wall / floorWall).toFixed(2)}x | ${((cpu / r.fdsScanned) * 1e6).toFixed(2)} |`);
  }
  const st = r.rounds.steady;
  if (st.length) {
    lines.push(
      `steady scans: cache hits ${median(st.map((s) => s.cacheHits))}, misses ${median(st.map((s) => s.cacheMisses))}, ` +
        `links read ${median(st.map((s) => s.fdLinksRead))} of ${median(st.map((s) => s.fdsScanned))} fds (medians)`,
    );
    lines.push('steady phases (wall s, medians): ' + SCAN_PHASES.map((p) => `${p} ${f3(median(st.map((s) => s.phaseSeconds[p])))}`).join(', '));
  }
  const u = r.underLoad;
  if (u) {
    lines.push(`/metrics during scans: ${u.requests} requests over ${u.scans} scans, p50 ${u.p50Ms.toFixed(1)} ms, p99 ${u.p99Ms.toFixed(1)} ms, max ${u.maxMs.toFixed(1)} ms`);
    lines.push(`exporter RSS: ${(u.rssAtHalfBytes / MiB).toFixed(1)} MiB after ${u.scans / 2} scans, ${(u.rssAtEndBytes / MiB).toFixed(1)} MiB after ${u.scans}; highest at a scan end: ${(u.rssPeakThirdQuarterBytes / MiB).toFixed(1)} MiB in scans ${u.scans / 2 + 1}-${(u.scans * 3) / 4}, ${(u.rssPeakLastQuarterBytes / MiB).toFixed(1)} MiB in scans ${(u.scans * 3) / 4 + 1}-${u.scans}`);
  }
  if (r.listenerLatencySeconds) lines.push(`new-listener latency (default flags): ${r.listenerLatencySeconds.map(f3).join(', ')} s`);
  const b = r.briefCatch;
  if (b) {
    const lat = [...b.latencySeconds].sort((x, y) => x - y);
    lines.push(
      `brief listeners (${b.lifeMs} ms each, ${b.pollInterval} poll): caught ${b.caught} of ${b.trials}, still on /metrics 1 s after closing ${b.heldAfterClose}; ` +
        `listen() to /metrics p50 ${f3(percentile(lat, 50))} s, p99 ${f3(percentile(lat, 99))} s, max ${f3(lat[lat.length - 1] ?? NaN)} s`,
    );
  }
  if (r.rounds.samples.floor_c.length) lines.push(r.rounds.mismatches.length ? `cross-check: ${r.rounds.mismatches.length} disagreements:` : 'cross-check: every tool agrees on the listeners and deleted files of the workload');
  lines.push(...r.rounds.mismatches.slice(0, 20).map((m) => `  ${m}`));
  return lines;
}

/** PASS/FAIL lines; the targets are set at 500x1000 but are printed for every size. */
export function verdicts(r: SizeResult): { line: string; pass: boolean }[] {
  const cpu = (t: (typeof TOOLS)[number]) => median(r.rounds.samples[t].map((s) => s.cpuSeconds));
  const floor = cpu('floor_c');
  const out: { line: string; pass: boolean }[] = [];
  const check = (name: string, value: string, pass: boolean) => out.push({ line: `${pass ? 'PASS' : 'FAIL'} ${r.processes}x${r.fdsPerProcess} ${name}: ${value}`, pass });
  if (r.rounds.samples.floor_c.length) {
    check('cross-check', `${r.rounds.mismatches.length} disagreements`, r.rounds.mismatches.length === 0);
    check('steady CPU <= 0.25x floor', `${(cpu('exporter_steady') / floor).toFixed(3)}x`, cpu('exporter_steady') / floor <= TARGETS.steadyToFloorCpu);
    check('cold CPU <= 1.3x floor', `${(cpu('exporter_cold') / floor).toFixed(3)}x`, cpu('exporter_cold') / floor <= TARGETS.coldToFloorCpu);
  }
  const u = r.underLoad;
  if (u) {
    check('/metrics p99 < 50 ms', `${u.p99Ms.toFixed(1)} ms`, u.p99Ms < TARGETS.metricsP99Ms);
    check(`RSS < 120 MiB after ${u.scans} scans`, `${(u.rssAtEndBytes / MiB).toFixed(1)} MiB`, u.rssAtEndBytes < TARGETS.rssBytes);
    // "Not growing": allow 5% for allocator noise between the two readings.
    // Peaks, not two single samples: RSS saws with garbage collection; a leak raises the peaks.
    check(
      `RSS not growing (peak of scans ${u.scans / 2 + 1}-${(u.scans * 3) / 4} -> peak of ${(u.scans * 3) / 4 + 1}-${u.scans}, 5% slack)`,
      `${(u.rssPeakThirdQuarterBytes / MiB).toFixed(1)} -> ${(u.rssPeakLastQuarterBytes / MiB).toFixed(1)} MiB`,
      u.rssPeakLastQuarterBytes <= u.rssPeakThirdQuarterBytes * 1.05,
    );
  }
  const l = r.listenerLatencySeconds;
  if (l?.length) check('new-listener latency < 2 s (max)', `${Math.max(...l).toFixed(3)} s`, Math.max(...l) < TARGETS.newListenerSeconds);
  const b = r.briefCatch;
  if (b) {
    const lat = [...b.latencySeconds].sort((x, y) => x - y);
    check(`brief listeners caught >= 99% (${b.lifeMs} ms life, ${b.pollInterval} poll)`, `${b.caught}/${b.trials}`, b.caught >= 0.99 * b.trials);
    check('brief listeners held after closing', `${b.heldAfterClose}/${b.caught}`, b.heldAfterClose === b.caught);
    check(`new listener on /metrics p99 < 500 ms (${b.pollInterval} poll)`, `${f3(percentile(lat, 99))} s`, percentile(lat, 99) < TARGETS.briefListenerP99Seconds);
  }
  return out;
}
