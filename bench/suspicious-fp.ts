/**
 * False positives of lsof_suspicious_processes' reasons, on processes where nothing is malicious:
 * this host's (a real scan of --path.procfs, default /proc) and a desktop-like list
 * (test/fixtures/desktop/processes.tsv). Every flagged process there is a false positive.
 *
 *   npm run build && node dist/bench/suspicious-fp.js --scans 20   # this host (and the phase's cost)
 *   node dist/bench/suspicious-fp.js --desktop test/fixtures/desktop/processes.tsv
 */
import fs from 'node:fs';
import { ProcFs } from '../src/procfs/proc.js';
import type { ProcessRecord } from '../src/scan/context.js';
import { Scanner } from '../src/scan/scanner.js';
import { SUSPICIOUS_REASONS, suspiciousReasons, type SuspiciousReason } from '../src/signals/suspicious.js';

export interface FpReport {
  processes: number;
  byReason: Record<SuspiciousReason, number>;
  /** Every flagged process: "user comm exe: reasons". */
  flagged: string[];
}

export function fpReport(records: readonly ProcessRecord[]): FpReport {
  const byReason = Object.fromEntries(SUSPICIOUS_REASONS.map((r) => [r, 0])) as Record<SuspiciousReason, number>;
  const flagged: string[] = [];
  for (const p of records) {
    const reasons = suspiciousReasons(p);
    for (const r of reasons) byReason[r]++;
    if (reasons.length > 0) flagged.push(`${p.user} ${p.comm} ${p.exe}: ${reasons.join(',')}`);
  }
  return { processes: records.length, byReason, flagged };
}

/** The desktop list's rows as process records, with its columns for the facts a scan would look up. */
export function desktopRecords(tsv: string): ProcessRecord[] {
  const rows = tsv.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  return rows.map((line, i) => {
    const [user, comm, exe, cwd, wwDir, systemProgram] = line.split('\t');
    if (systemProgram !== 'yes' && systemProgram !== 'no') throw new Error(`line ${i + 1} of the desktop list: ${JSON.stringify(line)}`);
    return {
      pid: i + 1,
      startTime: 0,
      uid: 0,
      euid: 0,
      user: user!,
      comm: comm!,
      exe: exe!,
      exeDeleted: exe!.startsWith('/memfd:'),
      cwd: cwd!,
      exePlacement: { worldWritableDir: wwDir === '-' ? '' : wwDir!, systemProgramNamed: systemProgram === 'yes' },
      fdCount: null,
      fdTypes: {} as ProcessRecord['fdTypes'],
      fdLimit: null,
      netns: '',
      container: { id: '', runtime: '', podUid: '' },
    };
  });
}

function print(title: string, r: FpReport): void {
  console.log(`${title}: ${r.processes} processes, ${r.flagged.length} flagged`);
  for (const reason of SUSPICIOUS_REASONS) console.log(`  ${reason.padEnd(26)} ${String(r.byReason[reason]).padStart(4)}  (${((100 * r.byReason[reason]) / r.processes).toFixed(1)}%)`);
  for (const f of r.flagged) console.log(`    ${f}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function main(argv: string[]): void {
  const desktop = argv.indexOf('--desktop');
  if (desktop >= 0) {
    print(`desktop list ${argv[desktop + 1]}`, fpReport(desktopRecords(fs.readFileSync(argv[desktop + 1]!, 'utf8'))));
    return;
  }
  const procfs = ProcFs.at(argv.includes('--path.procfs') ? argv[argv.indexOf('--path.procfs') + 1]! : '/proc');
  const scans = argv.includes('--scans') ? Number(argv[argv.indexOf('--scans') + 1]) : 1;
  const scanner = new Scanner(procfs);
  const placementMs: number[] = [];
  const scanMs: number[] = [];
  let ctx = scanner.scan();
  for (let i = 0; i < scans; i++) {
    ctx = scanner.scan();
    placementMs.push(ctx.stats.phaseSeconds.exe_placement * 1000);
    scanMs.push(ctx.stats.durationSeconds * 1000);
  }
  print(`this host (${new Date().toISOString()})`, fpReport(ctx.processes));
  console.log(`exe_placement phase over ${scans} scan(s) after a first one: median ${median(placementMs).toFixed(2)} ms of a median ${median(scanMs).toFixed(1)} ms scan; path_stat errors ${ctx.stats.errors.path_stat}`);

}

if (process.argv[1]?.endsWith('suspicious-fp.js')) main(process.argv.slice(2));
