/**
 * What hides processes from every tool that reads /proc, the exporter included: mounts over
 * /proc/<pid> (a known hiding technique with no benign use) and hidepid on the scanned procfs.
 */
import { family } from './family.js';
import { L } from './labels.js';
import { defineSignal } from './signal.js';

export const procfsOvermounts = family('procfs_overmounts', {
  type: 'gauge',
  help: 'Processes hidden by a mount over /proc/<pid> (1 per pid), in the host\'s or the exporter\'s mount namespace.',
  labels: [L.pid],
  otelName: 'lsof.procfs.overmounts',
  unit: '1',
});

export const procfsInfo = family('procfs_info', {
  type: 'gauge',
  help: 'Constant 1, labelled with the hidepid option of the scanned procfs (off, noaccess, invisible, ptraceable).',
  labels: [L.hidepid],
  otelName: 'lsof.procfs.info',
  unit: '1',
});

export const procfsVisibilitySignal = defineSignal({
  name: 'procfs_visibility',
  help: 'Mounts that hide processes from /proc readers: over /proc/<pid>, and hidepid.',
  enabledByDefault: true,
  needs: {},
  families: { procfsOvermounts, procfsInfo },
  derive: (ctx) => ({
    procfsOvermounts: ctx.procfsVisibility.overmountedPids.map((pid) => ({ labels: { pid: String(pid) }, value: 1 })),
    procfsInfo: [{ labels: { hidepid: ctx.procfsVisibility.hidepid }, value: 1 }],
  }),
});
