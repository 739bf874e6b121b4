/**
 * The history the new-executable alert compares with: the listener history's technique (see
 * listener-history.ts) applied to what each account runs, on the same interval and windows, so that
 * no evaluation of the alert reads more than two history intervals of anything. It adds only the two
 * per-(user, executable) levels: whether an instance is old enough for its executables to be new is
 * the listener history's instance records, shared.
 *
 * 1. `...present_over_time2h`: did the account run the executable in the last two intervals.
 * 2. `...present_over_time7d_offset1h`: did level 1 record it in the lookback that ended `recent` ago.
 *
 * The identity is instance, job, user and executable path: not the process name (a program renames
 * its threads and itself), not the number of processes, not the binary's inode or version (an
 * upgrade that keeps the path is the same executable; the exporter reports the path without the
 * kernel's " (deleted)" suffix).
 */
import { metric } from '../names.js';
import type { RecordingRule, RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';
import { recordWindow } from './listener-history.js';

export const EXECUTABLE_HISTORY_GROUP = 'lsof-exporter.executable-history';

/** What makes an executable the same executable for the history. */
export const EXECUTABLE_IDENTITY = 'instance, job, user, executable';

/** Processes by account and executable; an unreadable executable ("") is the blind alert's, not history. */
export const KNOWN_EXECUTABLES = `${metric('executable_processes')}{executable!=""}`;

export function executableRecordNames(n: Tunables['newListener']) {
  const executables = metric('executable_processes');
  return {
    recentExecutables: `executable:${executables}:present_over_time${recordWindow(n)}`,
    executableHistory: `executable:${executables}:present_over_time${n.lookback}_offset${n.recent}`,
  };
}

export function executableHistoryGroup(t: Tunables): RuleGroup {
  const n = t.newListener;
  const names = executableRecordNames(n);
  const record = (name: string, selector: string): RecordingRule => ({
    record: name,
    expr: `group by (${EXECUTABLE_IDENTITY}) (present_over_time(${selector}))`,
  });
  return {
    name: EXECUTABLE_HISTORY_GROUP,
    interval: n.historyInterval,
    rules: [
      record(names.recentExecutables, `${KNOWN_EXECUTABLES}[${recordWindow(n)}]`),
      record(names.executableHistory, `${names.recentExecutables}[${n.lookback}] offset ${n.recent}`),
    ],
  };
}
