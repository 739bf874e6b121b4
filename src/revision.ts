/**
 * The commit the exporter was built from, for lsof_exporter_build_info{revision}. A git checkout
 * answers from its .git (HEAD, a loose ref or packed-refs; a worktree's .git file; no git binary
 * needed, none is in the image); a copy without .git (an npm pack tarball, the container image)
 * answers from the REVISION file written next to package.json when it was packed or built.
 * Unknown is "unknown", as in Prometheus' own build_info.
 */
import fs from 'node:fs';
import path from 'node:path';

const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function readTrimmed(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null; // absent: the next source is asked
  }
}

/** The git folder of a checkout: .git itself, or the folder a worktree's .git file points to. */
function gitDir(root: string): string | null {
  const dotGit = path.join(root, '.git');
  const text = readTrimmed(dotGit);
  if (text === null) return fs.existsSync(path.join(dotGit, 'HEAD')) ? dotGit : null;
  const m = /^gitdir: (.+)$/m.exec(text);
  return m ? path.resolve(root, m[1]!) : null;
}

function packedRef(commonDir: string, ref: string): string | null {
  for (const line of (readTrimmed(path.join(commonDir, 'packed-refs')) ?? '').split('\n')) {
    const [sha, name] = line.split(' ');
    if (name === ref && COMMIT.test(sha ?? '')) return sha!;
  }
  return null;
}

/** HEAD's commit in the checkout at `root`, or null when it is not one (or HEAD names no commit yet). */
export function readGitRevision(root: string): string | null {
  const dir = gitDir(root);
  if (!dir) return null;
  const head = readTrimmed(path.join(dir, 'HEAD'));
  if (!head) return null;
  if (COMMIT.test(head)) return head; // detached
  const ref = /^ref: (\S+)$/.exec(head)?.[1];
  if (!ref) return null;
  const common = readTrimmed(path.join(dir, 'commondir'));
  const commonDir = common ? path.resolve(dir, common) : dir;
  const loose = readTrimmed(path.join(dir, ref)) ?? readTrimmed(path.join(commonDir, ref));
  if (loose && COMMIT.test(loose)) return loose;
  return packedRef(commonDir, ref);
}

/** The REVISION file of a packed or built copy (scripts/write-revision.mjs), or null. */
export function readRevisionFile(root: string): string | null {
  const text = readTrimmed(path.join(root, 'REVISION'));
  return text && COMMIT.test(text) ? text : null;
}

export function readRevision(root: string): string {
  return readGitRevision(root) ?? readRevisionFile(root) ?? 'unknown';
}
