/**
 * Which of CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH this process lacks, and the one warning that says
 * so when a scan finds processes it could not inspect. The exporter's own /proc/self is read, not the
 * --path.procfs tree: these are the exporter's capabilities, wherever the scanned /proc is mounted.
 */
import fs from 'node:fs';
import type { Logger } from './log.js';
import type { ExporterView } from './metrics/exporter-view.js';
import { missingCapabilities, parseCapabilities, type NeededCapability } from './procfs/capabilities.js';
import { procfsInfo } from './signals/procfs-visibility.js';

const OWN_STATUS = '/proc/self/status';

/** The missing capabilities, or why the exporter's own status could not be read or parsed. */
export function readMissingCapabilities(statusFile = OWN_STATUS): { missing: NeededCapability[] } | { error: string } {
  try {
    return { missing: missingCapabilities(parseCapabilities(fs.readFileSync(statusFile, 'latin1')).effective) };
  } catch (err) {
    return { error: `${statusFile}: ${(err as Error).message}` };
  }
}

export function uninspectableWarning(missing: NeededCapability[] | null, processes: number): string {
  const hidden = 'their fds, listeners and deleted files are not reported';
  if (missing === null) return `cannot read descriptors of ${processes} processes (own capabilities unknown); ${hidden}`;
  if (missing.length > 0) return `missing ${missing.join(' and ')}: cannot read descriptors of ${processes} processes of other users; ${hidden}`;
  return `cannot read descriptors of ${processes} processes although CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH are effective (another user namespace, or an LSM or Yama ptrace policy); ${hidden}`;
}

/** A snapshot listener that logs the warning the first time a scan meets uninspectable processes. */
export function warnOnceWhenUninspectable(log: Logger): (view: ExporterView) => void {
  const caps = readMissingCapabilities();
  if ('error' in caps) log.debug({ err: caps.error }, 'cannot read own capabilities');
  const missing = 'missing' in caps ? caps.missing : null;
  let warned = false;
  return (view) => {
    const n = view.stats?.uninspectable ?? 0;
    if (warned || n === 0) return;
    warned = true;
    log.warn({ uninspectable_processes: n, missing_capabilities: missing?.join(',') ?? 'unknown' }, uninspectableWarning(missing, n));
  };
}

/**
 * A snapshot listener that logs, once, that the scanned procfs hides processes (hidepid): without
 * CAP_SYS_PTRACE the exporter then lists only its own processes, and nothing else would say so,
 * since the hidden pids are not even listed (so not counted as uninspectable).
 */
export function warnOnceWhenHidepid(log: Logger): (view: ExporterView) => void {
  const caps = readMissingCapabilities();
  const degraded = !('missing' in caps) || caps.missing.includes('CAP_SYS_PTRACE');
  let warned = false;
  return (view) => {
    const mode = view.model?.samples[procfsInfo.name]?.[0]?.labels.hidepid;
    if (warned || mode === undefined || mode === 'off') return;
    warned = true;
    const what = degraded ? 'processes of other users are invisible to this exporter (it lacks CAP_SYS_PTRACE)' : 'CAP_SYS_PTRACE lets this exporter see every process';
    log.warn({ hidepid: mode }, `the scanned procfs is mounted with hidepid=${mode}: ${what}`);
  };
}
