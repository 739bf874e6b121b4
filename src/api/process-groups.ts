/**
 * The processes table of the page: one row per (user, executable, network namespace, container),
 * what `lsof -u USER` groups by eye, with descriptors by type and the fullest member's fd-limit ratio.
 */
import type { FdType } from '../procfs/fd-target.js';
import type { ProcessRecord } from '../scan/context.js';
import type { UiProcessGroup } from './ui-snapshot.js';

/** Pids listed per process group (the rest are counted). */
export const UI_MAX_GROUP_PIDS = 50;

export function groupProcesses(processes: readonly ProcessRecord[], localNetns: (ns: string) => string): UiProcessGroup[] {
  const groups = new Map<string, UiProcessGroup>();
  for (const p of processes) {
    const netns = localNetns(p.netns);
    const key = JSON.stringify([p.user, p.exe, netns, p.container.id]);
    let g = groups.get(key);
    if (!g) {
      g = newGroup(p, netns);
      groups.set(key, g);
    }
    addMember(g, p);
  }
  return [...groups.values()].sort((a, b) => b.fdCount - a.fdCount);
}

function newGroup(p: ProcessRecord, netns: string): UiProcessGroup {
  const fdTypes = Object.fromEntries(Object.keys(p.fdTypes).map((t) => [t, 0])) as Record<FdType, number>;
  return {
    user: p.user,
    executable: p.exe,
    processNames: [],
    netns,
    container: p.container,
    processCount: 0,
    pids: [],
    fdCount: 0,
    fdTypes,
    fdLimitRatioMax: null,
    fdLimitRatioPid: null,
    uninspectable: 0,
    executableDeleted: false,
  };
}

const MAX_NAMES = 5;

function addMember(g: UiProcessGroup, p: ProcessRecord): void {
  g.processCount++;
  if (g.pids.length < UI_MAX_GROUP_PIDS) g.pids.push(p.pid);
  if (g.processNames.length < MAX_NAMES && !g.processNames.includes(p.comm)) g.processNames.push(p.comm);
  // Descriptors not read: no privilege (the usual case) or a read error; the scan counts which.
  if (p.fdCount === null) g.uninspectable++;
  if (p.exeDeleted) g.executableDeleted = true;
  if (p.fdCount === null) return;
  g.fdCount += p.fdCount;
  for (const [t, n] of Object.entries(p.fdTypes) as [FdType, number][]) g.fdTypes[t] += n;
  if (p.fdLimit !== null && p.fdLimit > 0) {
    const ratio = p.fdCount / p.fdLimit;
    if (g.fdLimitRatioMax === null || ratio > g.fdLimitRatioMax) {
      g.fdLimitRatioMax = ratio;
      g.fdLimitRatioPid = p.pid;
    }
  }
}
