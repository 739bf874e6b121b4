/**
 * What memfds pin (memfd_create(2): anonymous memory with a descriptor, issue 14 item 7): memory, not
 * disk, so never in the deleted-file families, whatever the memfd's name says ("evil (deleted)").
 * Each memfd (device + inode) is counted once, in the group of its lowest-pid holder, as deleted
 * files are; the bytes are the allocated pages (st_blocks x 512), so a memfd truncated to 1 GiB and
 * never written counts for what it holds, nothing.
 */
import { groupLabels } from '../model/grouping.js';
import { SampleGroups } from '../model/sample.js';
import type { MemfdRecord, ProcessRecord } from '../scan/context.js';
import { family, type LabelsOf } from './family.js';
import { lowestPidHolder } from './lowest-holder.js';
import { defineSignal, type DeriveOptions } from './signal.js';

export const memfdOpenFiles = family('memfd_open_files', {
  type: 'gauge',
  help: 'Open memfds (memfd_create(2): anonymous memory, no file on a disk), each counted once, in the group of its lowest-pid holder.',
  grouped: true,
  otelName: 'lsof.memfd.count',
  unit: '{file}',
});

export const memfdOpenBytes = family('memfd_open_bytes', {
  type: 'gauge',
  help: 'Memory pinned by open memfds (allocated pages, st_blocks x 512, not the apparent size), each memfd counted once (by device and inode), in the group of its lowest-pid holder.',
  grouped: true,
  otelName: 'lsof.memfd.size',
  unit: 'By',
});

export const memfdsSignal = defineSignal({
  name: 'memfd',
  help: 'Open memfds (anonymous memory with a descriptor): count and memory pinned per group.',
  enabledByDefault: true,
  needs: { memfds: true },
  families: { memfdOpenFiles, memfdOpenBytes },
  derive: (ctx, opts) => memfdSamples(ctx.memfds, ctx.processes, opts),
});

function memfdSamples(memfds: readonly MemfdRecord[] | null | undefined, processes: readonly ProcessRecord[], opts: DeriveOptions) {
  if (memfds === null) throw new Error('the memfds phase of this scan failed');
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const count = new SampleGroups<LabelsOf<typeof memfdOpenFiles>>();
  const bytes = new SampleGroups<LabelsOf<typeof memfdOpenBytes>>();
  for (const m of memfds ?? []) {
    const owner = lowestPidHolder(m.holders, byPid);
    if (!owner) continue;
    const labels = groupLabels(owner, opts.groupBy);
    count.add(labels, 1);
    bytes.add(labels, m.allocatedBytes);
  }
  return { memfdOpenFiles: count.samples(), memfdOpenBytes: bytes.samples() };
}
