/**
 * Processes whose executable or working directory looks like a dropped program's, by a closed set of
 * reasons (docs/metrics.md, lsof_suspicious_processes, defines each): the second half of the lsof
 * intrusion recipe (a program compiled in public_html/.m, named bash, running as www-data). One
 * series per (user, process name, executable, reason), valued by the number of such processes; a
 * process with two reasons counts once under each. The executable label is lsof_executable_processes'
 * (capped the same way); no working directory or command line is a label.
 */
import { SampleGroups } from '../model/sample.js';
import type { ProcessRecord } from '../scan/context.js';
import { isHiddenPath, isKernelThreadName, isMemfdPath, isSystemPath } from '../scan/path-rules.js';
import { family, type LabelsOf } from './family.js';
import { L } from './labels.js';
import { defineSignal } from './signal.js';

export const SUSPICIOUS_REASONS = [
  'hidden_executable',
  'hidden_cwd',
  'world_writable_executable',
  'deleted_executable',
  'memfd_executable',
  'kernel_thread_name',
  'masquerading_name',
] as const;
export type SuspiciousReason = (typeof SUSPICIOUS_REASONS)[number];

export const suspiciousProcesses = family('suspicious_processes', {
  type: 'gauge',
  help: 'Processes by user, process name, executable path and suspicious reason (hidden or world-writable directory, deleted or memfd executable, kernel-thread or masquerading name).',
  labels: [L.user, L.process, L.executable, L.suspiciousReason],
  otelName: 'lsof.process.suspicious.count',
  unit: '{process}',
});

/** The reasons one process is suspicious for, in SUSPICIOUS_REASONS order (docs/metrics.md). */
export function suspiciousReasons(p: ProcessRecord): SuspiciousReason[] {
  const reasons: SuspiciousReason[] = [];
  const memfd = isMemfdPath(p.exe);
  if (isHiddenPath(p.exe)) reasons.push('hidden_executable');
  if (isHiddenPath(p.cwd)) reasons.push('hidden_cwd');
  if (p.exePlacement?.worldWritableDir) reasons.push('world_writable_executable');
  if (p.exeDeleted && !memfd) reasons.push('deleted_executable');
  if (memfd) reasons.push('memfd_executable');
  if (p.exe !== '' && isKernelThreadName(p.comm)) reasons.push('kernel_thread_name');
  if (isMasquerading(p)) reasons.push('masquerading_name');
  return reasons;
}

/**
 * Named after a program of the system directories while running something outside them: comm `bash`,
 * exe /home/user/public_html/.m/bash. A script keeps its interpreter as exe (under /usr), a program
 * renaming its threads (node's MainThread, chromium's zygote) stays in its package's directory.
 */
function isMasquerading(p: ProcessRecord): boolean {
  return p.exe !== '' && !isMemfdPath(p.exe) && !isSystemPath(p.exe) && p.exePlacement?.systemProgramNamed === true;
}

export const suspiciousSignal = defineSignal({
  name: 'suspicious',
  help: 'Processes running from hidden or world-writable directories, deleted or memfd executables, kernel-thread or masquerading names.',
  enabledByDefault: true,
  needs: { exePlacement: true },
  families: { suspiciousProcesses },
  derive: (ctx) => {
    const groups = new SampleGroups<LabelsOf<typeof suspiciousProcesses>>();
    for (const p of ctx.processes) for (const reason of suspiciousReasons(p)) groups.add({ user: p.user, process: p.comm, executable: p.exe, reason }, 1);
    return { suspiciousProcesses: groups.samples() };
  },
});
