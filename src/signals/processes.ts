/**
 * Processes by group (--group.by): how many, their open descriptors by type (`lsof -u USER | wc -l`
 * split by TYPE), and the highest descriptor count / open-files limit among them (who runs out of
 * descriptors first).
 */
import { FD_TYPES } from '../procfs/fd-target.js';
import { groupLabels } from '../model/grouping.js';
import { SampleGroups } from '../model/sample.js';
import type { ProcessRecord } from '../scan/context.js';
import { family, type LabelsOf } from './family.js';
import type { GroupLabel } from './labels.js';
import { L } from './labels.js';
import { defineSignal } from './signal.js';

export const openFds = family('open_fds', {
  type: 'gauge',
  help: `Open file descriptors by process group and type (${FD_TYPES.join(', ')}).`,
  grouped: true,
  labels: [L.fdType],
  // An aggregate over the processes of a group, so not the convention's per-process
  // process.unix.file_descriptor.count (one process per resource): see docs/metrics.md.
  otelName: 'lsof.group.file_descriptor.count',
  unit: '{file_descriptor}',
});

export const processCount = family('processes', {
  type: 'gauge',
  help: 'Processes by group (kernel threads and zombies excluded).',
  grouped: true,
  otelName: 'lsof.process.count',
  unit: '{process}',
});

export const fdLimitUtilization = family('fd_limit_utilization_max_ratio', {
  type: 'gauge',
  help: 'Highest open-descriptor count / soft RLIMIT_NOFILE among the processes of the group.',
  grouped: true,
  otelName: 'lsof.process.open_file_descriptor.limit_utilization',
  unit: '1',
});

export const processesSignal = defineSignal({
  name: 'processes',
  help: 'Processes by group: count, open descriptors by type, highest descriptor-limit utilisation.',
  enabledByDefault: true,
  needs: {},
  families: { openFds, processCount, fdLimitUtilization },
  derive: (ctx, opts) => ({
    openFds: openFdSamples(ctx.processes, opts.groupBy),
    processCount: countSamples(ctx.processes, opts.groupBy),
    fdLimitUtilization: fdLimitSamples(ctx.processes, opts.groupBy),
  }),
});

function openFdSamples(processes: readonly ProcessRecord[], by: readonly GroupLabel[]) {
  const groups = new SampleGroups<LabelsOf<typeof openFds>>();
  for (const p of processes) {
    if (p.fdCount === null) continue;
    const labels = groupLabels(p, by);
    for (const type of FD_TYPES) {
      const n = p.fdTypes[type];
      if (n > 0) groups.add({ ...labels, type }, n);
    }
  }
  return groups.samples();
}

function countSamples(processes: readonly ProcessRecord[], by: readonly GroupLabel[]) {
  const groups = new SampleGroups<LabelsOf<typeof processCount>>();
  for (const p of processes) groups.add(groupLabels(p, by), 1);
  return groups.samples();
}

function fdLimitSamples(processes: readonly ProcessRecord[], by: readonly GroupLabel[]) {
  const groups = new SampleGroups<LabelsOf<typeof fdLimitUtilization>>();
  for (const p of processes) {
    if (p.fdCount === null || !p.fdLimit) continue;
    groups.max(groupLabels(p, by), p.fdCount / p.fdLimit);
  }
  return groups.samples();
}
