/**
 * Snapshot -> the samples of every snapshot-derived family, grouped and capped. Computed once per
 * snapshot (not per scrape) and shared by every output, so Prometheus and OTLP report the same numbers.
 */
import { FD_TYPES } from '../procfs/fd-target.js';
import type { DeletedFileRecord, ProcessRecord, Snapshot } from '../scan/snapshot.js';
import { capSamples } from './series-cap.js';
import { groupLabels, type GroupLabel } from './grouping.js';
import { SampleGroups, type Sample } from './sample.js';

export interface ModelOptions {
  groupBy: readonly GroupLabel[];
  /** Series cap per family. */
  maxSeries: number;
  /** How many of the largest deleted files get their own detail series. */
  deletedTop: number;
  /** Network namespace of the host: listeners in it get netns="". */
  hostNetns: string;
}

export const SNAPSHOT_FAMILIES = [
  'listener_processes',
  'open_fds',
  'processes',
  'fd_limit_utilization_max_ratio',
  'deleted_open_files',
  'deleted_open_bytes',
  'deleted_open_file_size_bytes',
  'deleted_executable_processes',
] as const;
export type SnapshotFamily = (typeof SNAPSHOT_FAMILIES)[number];

export interface Model {
  samples: Record<SnapshotFamily, Sample[]>;
  dropped: Record<SnapshotFamily, number>;
}

export function buildModel(snap: Snapshot, opts: ModelOptions): Model {
  const byPid = new Map(snap.processes.map((p) => [p.pid, p]));
  const raw: Record<SnapshotFamily, Sample[]> = {
    listener_processes: listenerSamples(snap, byPid, opts),
    open_fds: openFdSamples(snap.processes, opts.groupBy),
    processes: processSamples(snap.processes, opts.groupBy),
    fd_limit_utilization_max_ratio: fdLimitSamples(snap.processes, opts.groupBy),
    ...deletedSamples(snap.deletedFiles, byPid, opts),
    deleted_executable_processes: deletedExeSamples(snap.processes),
  };
  const model: Model = { samples: {} as Model['samples'], dropped: {} as Model['dropped'] };
  for (const family of SNAPSHOT_FAMILIES) {
    const { kept, dropped } = capSamples(raw[family], opts.maxSeries);
    model.samples[family] = kept;
    model.dropped[family] = dropped;
  }
  return model;
}

/**
 * One series per (socket identity, holder user/process/exe): forked workers sharing a socket are one
 * series whose value counts them. A socket no visible process holds (kernel-owned, or held only by
 * processes we may not inspect) is still reported, with the socket's own uid and value 0.
 */
function listenerSamples(snap: Snapshot, byPid: Map<number, ProcessRecord>, opts: ModelOptions): Sample[] {
  const groups = new SampleGroups();
  const socketOwner = socketUidNames(snap.processes);
  for (const l of snap.listeners) {
    const base = {
      protocol: l.protocol,
      family: l.family,
      address: l.address,
      port: String(l.port),
    };
    const netns = l.netns === opts.hostNetns ? '' : l.netns;
    const holders = l.holders.map((pid) => byPid.get(pid)).filter((p): p is ProcessRecord => p !== undefined);
    if (holders.length === 0) {
      groups.add({ ...base, user: socketOwner(l.socketUid), process: '', executable: '', netns, container_id: '', container_runtime: '', pod_uid: '' }, 0);
      continue;
    }
    for (const p of holders) {
      groups.add(
        {
          ...base,
          user: p.user,
          process: p.comm,
          executable: p.exe,
          netns,
          container_id: p.container.id,
          container_runtime: p.container.runtime,
          pod_uid: p.container.podUid,
        },
        1,
      );
    }
  }
  return groups.samples();
}

/** uid -> name as the scan resolved it; a uid no scanned process runs as falls back to the number. */
function socketUidNames(processes: ProcessRecord[]): (uid: number) => string {
  const names = new Map<number, string>();
  for (const p of processes) names.set(p.euid, p.user);
  return (uid) => names.get(uid) ?? String(uid);
}

function openFdSamples(processes: ProcessRecord[], by: readonly GroupLabel[]): Sample[] {
  const groups = new SampleGroups();
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

function processSamples(processes: ProcessRecord[], by: readonly GroupLabel[]): Sample[] {
  const groups = new SampleGroups();
  for (const p of processes) groups.add(groupLabels(p, by), 1);
  return groups.samples();
}

function fdLimitSamples(processes: ProcessRecord[], by: readonly GroupLabel[]): Sample[] {
  const groups = new SampleGroups();
  for (const p of processes) {
    if (p.fdCount === null || !p.fdLimit) continue;
    groups.max(groupLabels(p, by), p.fdCount / p.fdLimit);
  }
  return groups.samples();
}

/**
 * Each deleted file is counted once, in the group of its lowest-pid holder (usually the parent of a
 * worker pool), so summing a family over all groups gives the host total with no double counting.
 */
function deletedSamples(files: DeletedFileRecord[], byPid: Map<number, ProcessRecord>, opts: ModelOptions) {
  const count = new SampleGroups();
  const bytes = new SampleGroups();
  const owned: { file: DeletedFileRecord; owner: ProcessRecord }[] = [];
  for (const file of files) {
    const owner = ownerOf(file, byPid);
    if (!owner) continue;
    const labels = groupLabels(owner, opts.groupBy);
    count.add(labels, 1);
    bytes.add(labels, file.size);
    owned.push({ file, owner });
  }
  const top = owned
    .sort((a, b) => b.file.size - a.file.size || a.file.path.localeCompare(b.file.path))
    .slice(0, opts.deletedTop)
    .map(({ file, owner }) => ({
      labels: { user: owner.user, process: owner.comm, pid: String(owner.pid), path: file.path, device: file.device, inode: file.inode },
      value: file.size,
    }));
  return { deleted_open_files: count.samples(), deleted_open_bytes: bytes.samples(), deleted_open_file_size_bytes: top };
}

function ownerOf(file: DeletedFileRecord, byPid: Map<number, ProcessRecord>): ProcessRecord | undefined {
  let best: ProcessRecord | undefined;
  for (const h of file.holders) {
    const p = byPid.get(h.pid);
    if (p && (!best || p.pid < best.pid)) best = p;
  }
  return best;
}

function deletedExeSamples(processes: ProcessRecord[]): Sample[] {
  const groups = new SampleGroups();
  for (const p of processes) if (p.exeDeleted) groups.add({ user: p.user, process: p.comm, executable: p.exe }, 1);
  return groups.samples();
}
