/**
 * Deleted-but-open files (`lsof +L1`): each file (device + inode) counted once, in the group of its
 * lowest-pid holder (usually the parent of a worker pool), so summing a family over all groups gives
 * the host total with no double counting; the largest get a series of their own, with their path.
 * "Largest" and "bytes pinned" are the allocated blocks, not the apparent size: a sparse file of 8 TiB
 * that holds nothing must neither fake a full disk nor push the real culprits out of the top list.
 */
import { compareText } from '../model/compare-text.js';
import { groupLabels } from '../model/grouping.js';
import { SampleGroups } from '../model/sample.js';
import type { DeletedFileRecord, ProcessRecord } from '../scan/context.js';
import { family, type LabelsOf } from './family.js';
import { L } from './labels.js';
import { lowestPidHolder } from './lowest-holder.js';
import { defineSignal, type DeriveOptions } from './signal.js';

export const deletedOpenFiles = family('deleted_open_files', {
  type: 'gauge',
  help: 'Deleted-but-open files (link count 0), each counted once, in the group of its lowest-pid holder.',
  grouped: true,
  otelName: 'lsof.deleted_file.count',
  unit: '{file}',
});

export const deletedOpenBytes = family('deleted_open_bytes', {
  type: 'gauge',
  help: 'Disk space pinned by deleted-but-open files (allocated blocks, st_blocks x 512), each file counted once (by device and inode).',
  grouped: true,
  otelName: 'lsof.deleted_file.size',
  unit: 'By',
});

export const deletedOpenFileSize = family('deleted_open_file_size_bytes', {
  type: 'gauge',
  help: 'Apparent size (st_size) of each of the deleted-but-open files pinning the most disk space (--deleted.top), with path and lowest-pid holder.',
  labels: [L.user, L.process, L.pid, L.path, L.device, L.inode],
  otelName: 'lsof.deleted_file.top.size',
  unit: 'By',
});

export const deletedFilesSignal = defineSignal({
  name: 'deleted_files',
  help: 'Deleted files still held open (lsof +L1): count and bytes per group, the largest by path.',
  enabledByDefault: true,
  needs: { deletedFiles: true },
  families: { deletedOpenFiles, deletedOpenBytes, deletedOpenFileSize },
  derive: (ctx, opts) => deletedSamples(ctx.deletedFiles, ctx.processes, opts),
});

function deletedSamples(files: readonly DeletedFileRecord[] | null, processes: readonly ProcessRecord[], opts: DeriveOptions) {
  if (files === null) throw new Error('the deleted-files phase of this scan failed');
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const count = new SampleGroups<LabelsOf<typeof deletedOpenFiles>>();
  const bytes = new SampleGroups<LabelsOf<typeof deletedOpenBytes>>();
  const owned: { file: DeletedFileRecord; owner: ProcessRecord }[] = [];
  for (const file of files) {
    const owner = lowestPidHolder(file.holders.map((h) => h.pid), byPid);
    if (!owner) continue;
    const labels = groupLabels(owner, opts.groupBy);
    count.add(labels, 1);
    bytes.add(labels, file.allocatedBytes);
    owned.push({ file, owner });
  }
  return { deletedOpenFiles: count.samples(), deletedOpenBytes: bytes.samples(), deletedOpenFileSize: largest(owned, opts.deletedTop) };
}

function largest(owned: { file: DeletedFileRecord; owner: ProcessRecord }[], top: number) {
  return owned
    .sort((a, b) => b.file.allocatedBytes - a.file.allocatedBytes || b.file.size - a.file.size || compareText(a.file.path, b.file.path))
    .slice(0, top)
    .map(({ file, owner }) => ({
      labels: { user: owner.user, process: owner.comm, pid: String(owner.pid), path: file.path, device: file.device, inode: file.inode },
      value: file.size,
    }));
}

