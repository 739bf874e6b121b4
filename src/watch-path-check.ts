/**
 * What the log says at start about each --watch.path: a path is matched by name against the link
 * texts the kernel writes (resolved, as the holding process sees it), so a path that does not exist
 * is watched all the same (a log file or a mount point may appear later), and a path that is a
 * symbolic link would never match (the links name its target): both get one warning. Checked under
 * --path.rootfs; a symbolic link only when the rootfs is "/" (an absolute link target in a mounted
 * host root would be resolved against the exporter's own root).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './log.js';

export type WatchPathProblem = { path: string; problem: 'missing' } | { path: string; problem: 'symlink'; resolved: string };

export function watchPathProblems(paths: readonly string[], rootfs: string): WatchPathProblem[] {
  const problems: WatchPathProblem[] = [];
  for (const p of paths) {
    const onHost = path.join(rootfs, p);
    if (!fs.existsSync(onHost)) {
      problems.push({ path: p, problem: 'missing' });
      continue;
    }
    if (rootfs !== '/') continue;
    let resolved: string;
    try {
      resolved = fs.realpathSync.native(onHost);
    } catch {
      continue; // a folder on the way we may not search: nothing to say
    }
    if (resolved !== p) problems.push({ path: p, problem: 'symlink', resolved });
  }
  return problems;
}

export function logWatchPathProblems(paths: readonly string[], rootfs: string, log: Logger): void {
  for (const w of watchPathProblems(paths, rootfs)) {
    if (w.problem === 'missing') log.warn({ path: w.path }, '--watch.path does not exist (yet); watched all the same, its holders are reported once it exists');
    else log.warn({ path: w.path, resolved: w.resolved }, '--watch.path goes through a symbolic link: open files are named by their resolved path, watch that path instead');
  }
}
