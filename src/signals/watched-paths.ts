/**
 * Who holds the watched paths open (--watch.path; lsof `FILE` and `+D DIR`): descriptors by process
 * group (--group.by, user and process name by default) and watched path. The `path` label is the
 * path as configured, never the file opened below a watched directory, so the family holds at most
 * (configured paths) x (groups) series, and the per-family cap deals its slots to the users in turns
 * (model/series-cap.ts): an account opening thousands of files under a watched directory adds one
 * series per process name, and cannot evict the other accounts' series. The per-path holder count is
 * bounded by the configuration alone, so it is exempt from the cap and stays exact in a flood.
 */
import { groupLabels } from '../model/grouping.js';
import { SampleGroups } from '../model/sample.js';
import type { ProcessRecord, WatchedPathRecord } from '../scan/context.js';
import { family, type LabelsOf } from './family.js';
import { L } from './labels.js';
import { defineSignal, type DeriveOptions } from './signal.js';

export const watchedPathDescriptors = family('watched_path_descriptors', {
  type: 'gauge',
  help: 'Open descriptors on a watched path (--watch.path; a directory counts everything below it), by process group and watched path.',
  grouped: true,
  labels: [L.path],
  otelName: 'lsof.watched_path.file_descriptor.count',
  unit: '{file_descriptor}',
});

export const watchedPathProcesses = family('watched_path_processes', {
  type: 'gauge',
  help: 'Processes holding a descriptor on a watched path (--watch.path), by watched path; exempt from --metrics.max-series (one series per configured path).',
  labels: [L.path],
  otelName: 'lsof.watched_path.process.count',
  unit: '{process}',
  uncapped: true,
});

export const watchedPathsSignal = defineSignal({
  name: 'watched_paths',
  help: 'Who holds the paths given with --watch.path open (lsof FILE, lsof +D DIR): descriptors by group and path.',
  enabledByDefault: true,
  needs: {},
  families: { watchedPathDescriptors, watchedPathProcesses },
  derive: (ctx, opts) => watchedSamples(ctx.watchedPaths ?? [], ctx.processes, opts),
});

function watchedSamples(records: readonly WatchedPathRecord[], processes: readonly ProcessRecord[], opts: DeriveOptions) {
  const descriptors = new SampleGroups<LabelsOf<typeof watchedPathDescriptors>>();
  const holders = new SampleGroups<LabelsOf<typeof watchedPathProcesses>>();
  if (records.length === 0) return { watchedPathDescriptors: [], watchedPathProcesses: [] };
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  for (const r of records) {
    const p = byPid.get(r.pid);
    if (!p) continue;
    descriptors.add({ ...groupLabels(p, opts.groupBy), path: r.path }, r.descriptors);
    holders.add({ path: r.path }, 1);
  }
  return { watchedPathDescriptors: descriptors.samples(), watchedPathProcesses: holders.samples() };
}
