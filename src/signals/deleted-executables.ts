/**
 * Processes running an executable that has been deleted (lsof's `txt` descriptor marked deleted):
 * an upgrade that was not followed by a restart, or a dropped binary that removed itself.
 */
import { SampleGroups } from '../model/sample.js';
import { family, type LabelsOf } from './family.js';
import { L } from './labels.js';
import { defineSignal } from './signal.js';

export const deletedExecutableProcesses = family('deleted_executable_processes', {
  type: 'gauge',
  help: 'Processes running an executable that has been deleted (link count 0).',
  labels: [L.user, L.process, L.executable],
  otelName: 'lsof.process.deleted_executable.count',
  unit: '{process}',
});

export const deletedExecutablesSignal = defineSignal({
  name: 'deleted_executables',
  help: 'Processes whose executable has been deleted since they started.',
  enabledByDefault: true,
  needs: {},
  families: { deletedExecutableProcesses },
  derive: (ctx) => {
    const groups = new SampleGroups<LabelsOf<typeof deletedExecutableProcesses>>();
    for (const p of ctx.processes) if (p.exeDeleted) groups.add({ user: p.user, process: p.comm, executable: p.exe }, 1);
    return { deletedExecutableProcesses: groups.samples() };
  },
});
