/**
 * What each account runs, by executable path: the `txt` descriptor of `lsof -a -d txt -u www-data`.
 * One series per (user, process name, executable), valued by the number of such processes, so
 * "www-data runs something other than apache2 or php-fpm" is one PromQL expression, and "an account
 * runs what it never ran before" is one comparison with history (alerts/). A process whose exe link
 * is unreadable (no ptrace access) has executable="": it is still counted, and says so.
 */
import { SampleGroups } from '../model/sample.js';
import { family, type LabelsOf } from './family.js';
import { L } from './labels.js';
import { defineSignal } from './signal.js';

export const executableProcesses = family('executable_processes', {
  type: 'gauge',
  help: 'Processes by user, process name and executable path (lsof -d txt); "" when the executable is unreadable.',
  labels: [L.user, L.process, L.executable],
  otelName: 'lsof.process.executable.count',
  unit: '{process}',
});

export const executablesSignal = defineSignal({
  name: 'executables',
  help: 'What each account runs: processes by user, process name and executable path.',
  enabledByDefault: true,
  needs: {},
  families: { executableProcesses },
  derive: (ctx) => {
    const groups = new SampleGroups<LabelsOf<typeof executableProcesses>>();
    for (const p of ctx.processes) groups.add({ user: p.user, process: p.comm, executable: p.exe }, 1);
    return { executableProcesses: groups.samples() };
  },
});
