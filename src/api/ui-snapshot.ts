/**
 * What the page (/ui) and the JSON API (/api/v1/) need of one scan, built inside the scan worker
 * from its Snapshot and sent to the main thread only when --web.ui.enable is on. The Snapshot itself
 * stays in the worker (copying 500k descriptors' worth of records every scan only grew the main heap):
 * this is the bounded digest of it, joined (holders named) and capped per table.
 */
import type { FdType } from '../procfs/fd-target.js';
import type { IpFamily, IpProtocol } from '../procfs/net-ip-socket.js';
import type { OpenPathIndex } from '../scan/open-path-index.js';
import type { ContainerInfo, DeletedFileRecord, ProcessRecord, ScanContext as Snapshot } from '../scan/context.js';
import { groupProcesses } from './process-groups.js';

/** Rows per table; a table past it says how many it left out (`truncated`). */
export const UI_MAX_ROWS = 5000;
/** Holders named per listener or deleted file (the rest are counted). */
export const UI_MAX_HOLDERS = 16;

export interface UiHolder {
  pid: number;
  process: string;
  user: string;
  executable: string;
  /** The descriptor holding a deleted file (deleted files only). */
  fd?: number;
}

export interface UiListener {
  protocol: IpProtocol;
  family: IpFamily;
  address: string;
  port: number;
  /** Network namespace inode; "" for the host's. */
  netns: string;
  container: ContainerInfo;
  socketUid: number;
  holders: UiHolder[];
  holderCount: number;
}

export interface UiDeletedFile {
  path: string;
  device: string;
  inode: string;
  sizeBytes: number;
  /** Blocks the file still occupies (st_blocks x 512): what deleting it would free; null if unknown. */
  allocatedBytes: number | null;
  holders: UiHolder[];
  holderCount: number;
}

/**
 * Why a process group looks suspicious, in words. No signal produces these yet (the intrusion-signals
 * issue will); the field exists so the API and the page already carry and show them.
 */
export interface UiSignalReason {
  signal: string;
  reason: string;
}

export interface UiProcessGroup {
  user: string;
  executable: string;
  /** Process names (comm) seen in the group, at most a few. */
  processNames: string[];
  netns: string;
  container: ContainerInfo;
  processCount: number;
  pids: number[];
  /** Open descriptors of the inspectable members. */
  fdCount: number;
  fdTypes: Record<FdType, number>;
  /** Highest open/soft-limit ratio of a member, and that member; null when no member's limit is known. */
  fdLimitRatioMax: number | null;
  fdLimitRatioPid: number | null;
  uninspectable: number;
  executableDeleted: boolean;
  signals?: UiSignalReason[];
}

export interface UiTable<T> {
  rows: T[];
  /** Rows left out by UI_MAX_ROWS. */
  truncated: number;
}

export interface UiSnapshot {
  scanStartedAtMs: number;
  scanDurationSeconds: number;
  listeners: UiTable<UiListener>;
  deletedFiles: UiTable<UiDeletedFile>;
  processGroups: UiTable<UiProcessGroup>;
  /** For the open-file search (file-holders.ts); shared memory, not copied into the message. */
  openPathIndex?: OpenPathIndex;
}

export interface UiLimits {
  maxRows: number;
  /** The open-file search is on (--web.ui.process-view): the scan keeps its open-path index. */
  fileSearch?: boolean;
}

export function buildUiSnapshot(snap: Snapshot, hostNetns: string, limits: UiLimits = { maxRows: UI_MAX_ROWS }): UiSnapshot {
  const byPid = new Map(snap.processes.map((p) => [p.pid, p]));
  const localNetns = (ns: string) => (ns === hostNetns ? '' : ns);
  return {
    scanStartedAtMs: Date.now() - snap.stats.durationSeconds * 1000,
    scanDurationSeconds: snap.stats.durationSeconds,
    listeners: cap(snap.listeners.map((l) => toListener(l, byPid, localNetns)), limits.maxRows),
    deletedFiles: cap(
      [...(snap.deletedFiles ?? [])].sort((a, b) => b.size - a.size).map((f) => toDeletedFile(f, byPid)),
      limits.maxRows,
    ),
    processGroups: cap(groupProcesses(snap.processes, localNetns), limits.maxRows),
    ...(snap.openPathIndex && { openPathIndex: snap.openPathIndex }),
  };
}

function cap<T>(rows: T[], max: number): UiTable<T> {
  return rows.length <= max ? { rows, truncated: 0 } : { rows: rows.slice(0, max), truncated: rows.length - max };
}

function holder(p: ProcessRecord | undefined, pid: number): UiHolder {
  return { pid, process: p?.comm ?? '', user: p?.user ?? '', executable: p?.exe ?? '' };
}

const NO_CONTAINER: ContainerInfo = { id: '', runtime: '', podUid: '' };

function toListener(l: Snapshot['listeners'][number], byPid: Map<number, ProcessRecord>, localNetns: (ns: string) => string): UiListener {
  const first = byPid.get(l.holders[0] ?? -1);
  return {
    protocol: l.protocol,
    family: l.family,
    address: l.address,
    port: l.port,
    netns: localNetns(l.netns),
    container: first?.container ?? NO_CONTAINER,
    socketUid: l.socketUid,
    holders: l.holders.slice(0, UI_MAX_HOLDERS).map((pid) => holder(byPid.get(pid), pid)),
    holderCount: l.holders.length,
  };
}

function toDeletedFile(f: DeletedFileRecord, byPid: Map<number, ProcessRecord>): UiDeletedFile {
  return {
    path: f.path,
    device: f.device,
    inode: f.inode,
    sizeBytes: f.size,
    allocatedBytes: f.allocatedBytes ?? null,
    holders: f.holders.slice(0, UI_MAX_HOLDERS).map(({ pid, fd }) => ({ ...holder(byPid.get(pid), pid), fd })),
    holderCount: f.holders.length,
  };
}
