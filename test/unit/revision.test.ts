/**
 * lsof_exporter_build_info{revision}: read from real git repositories made here (loose ref, packed
 * refs, detached HEAD, a worktree's .git file), compared with what `git rev-parse HEAD` says; and from
 * the REVISION file a packed copy carries.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGitRevision, readRevision, readRevisionFile } from '../../src/revision.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();

describe('revision', () => {
  let tmp: string;
  let repo: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-revision-'));
    repo = path.join(tmp, 'repo');
    fs.mkdirSync(repo);
    git(repo, 'init', '-q');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'one');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'two');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reads a branch from its loose ref', () => {
    expect(readGitRevision(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
  });

  it('reads a branch from packed-refs once its loose ref is gone', () => {
    git(repo, 'pack-refs', '--all', '--prune');
    expect(fs.existsSync(path.join(repo, '.git/refs/heads/main'))).toBe(false);
    expect(readGitRevision(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
  });

  it('reads a detached HEAD', () => {
    git(repo, 'checkout', '-q', '--detach', 'HEAD~1');
    try {
      expect(readGitRevision(repo)).toBe(git(repo, 'rev-parse', 'HEAD~0'));
    } finally {
      git(repo, 'checkout', '-q', 'main');
    }
  });

  it('follows a worktree\'s .git file to its HEAD and the shared refs', () => {
    const wt = path.join(tmp, 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'side', wt, 'HEAD~1');
    expect(fs.statSync(path.join(wt, '.git')).isFile()).toBe(true);
    expect(readGitRevision(wt)).toBe(git(wt, 'rev-parse', 'HEAD'));
    expect(readGitRevision(wt)).not.toBe(readGitRevision(repo));
  });

  it('is null outside a checkout, and the REVISION file answers there', () => {
    const copy = path.join(tmp, 'copy');
    fs.mkdirSync(copy);
    expect(readGitRevision(copy)).toBeNull();
    expect(readRevision(copy)).toBe('unknown');
    fs.writeFileSync(path.join(copy, 'REVISION'), `${'ab'.repeat(20)}\n`);
    expect(readRevisionFile(copy)).toBe('ab'.repeat(20));
    expect(readRevision(copy)).toBe('ab'.repeat(20));
  });

  it('ignores a REVISION file that holds no commit id', () => {
    const copy = path.join(tmp, 'bad');
    fs.mkdirSync(copy);
    fs.writeFileSync(path.join(copy, 'REVISION'), 'v1.2.3\n');
    expect(readRevision(copy)).toBe('unknown');
  });

  it('prefers the checkout\'s HEAD over a REVISION file left in it', () => {
    fs.writeFileSync(path.join(repo, 'REVISION'), `${'cd'.repeat(20)}\n`);
    expect(readRevision(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
  });
});
