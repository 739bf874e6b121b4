/**
 * Cgroups laid out as container runtimes name them, for tests that need /proc/PID/cgroup to read as on
 * a Docker, Podman or Kubernetes host (we are root): make the folders, move a child in, remove them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait.js';

/** A cgroup hierarchy we may create folders in: the v2 root, else the v1 pids controller. */
export const CGROUP_ROOT = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/pids';

export function moveIntoCgroup(cgroup: string, pid: number): void {
  fs.mkdirSync(path.join(CGROUP_ROOT, cgroup), { recursive: true });
  fs.writeFileSync(path.join(CGROUP_ROOT, cgroup, 'cgroup.procs'), String(pid));
}

/** Removes the folders of `cgroups` and their parents, deepest first, once their children have exited. */
export async function removeCgroups(cgroups: readonly string[]): Promise<void> {
  const dirs = cgroups.flatMap((cgroup) => cgroup.split('/').map((_s, i, all) => all.slice(0, i + 1).join('/')));
  for (const dir of [...new Set(dirs)].sort((a, b) => b.length - a.length)) {
    const full = path.join(CGROUP_ROOT, dir);
    // A cgroup folder is removed with rmdir (its control files go with it), once no task is left.
    await waitFor(() => {
      if (fs.existsSync(full)) fs.rmdirSync(full);
      return true;
    }, `rmdir ${full}`, 5_000);
  }
}
