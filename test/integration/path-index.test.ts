/**
 * The open-path index of a descriptor table (src/procfs/path-index.ts) on the real kernel: both
 * readers (native readFdDir and the TypeScript loop) build the same hashes, of every path and its
 * folders, and a table over a per-process cap carries no index at all (its process is read live).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fdsWithHash, indexHas, MAX_INDEX_HASHES, MAX_INDEXED_FDS, queryHash, type PathIndex } from '../../src/procfs/path-index.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { startFdHolder, type HeldChild } from '../support/children.js';
import { SKIP_NATIVE } from '../support/native.js';
import { startOpener } from '../support/opener.js';

let dir: string;
const children: HeldChild[] = [];
let varied: HeldChild;
let repeated: HeldChild;
let tooManyFds: HeldChild;
let tooManyFolders: HeldChild;
/** Folders of one file each: with their files, 16,400 distinct paths from 8,200 descriptors. */
const FOLDERS = 8200;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-index-'));
  fs.mkdirSync(path.join(dir, 'web/.m'), { recursive: true });
  const files = ['web/index.php', 'web/.m/LinkEvents', 'web/gone', 'web/new\nline', 'web/caf\u00e9'].map((f) => path.join(dir, f));
  for (const f of files) fs.writeFileSync(f, 'x');
  varied = await startFdHolder(['hold', ...files, '/dev/null', '/']);
  children.push(varied);
  fs.unlinkSync(path.join(dir, 'web/gone'));
  children.push(await startFdHolder(['deep', dir])); // a link longer than PATH_MAX: unreadable
  // 8000 descriptors on one file: the C side compacts its hashes on the way and keeps the index
  repeated = await startOpener([files[0]!], 8000);
  children.push(repeated);
  tooManyFds = await startOpener([files[0]!], MAX_INDEXED_FDS + 1);
  children.push(tooManyFds);
  fs.mkdirSync(path.join(dir, 'many'));
  const leaves = Array.from({ length: FOLDERS }, (_, i) => path.join(dir, 'many', `d${i}`, 'f'));
  for (const f of leaves) {
    fs.mkdirSync(path.dirname(f));
    fs.writeFileSync(f, '');
  }
  tooManyFolders = await startOpener(leaves);
  children.push(tooManyFolders);
}, 60_000);

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  execFileSync('rm', ['-rf', dir]); // rm walks with openat: the deep tree is beyond fs.rmSync
});

const READERS = SKIP_NATIVE ? [false] : [true, false];
const indexOf = (pid: number, native: boolean) => ProcFs.at('/proc', '/', { native, pathIndex: true }).proc(pid).fdTable().pathIndex;
const arrays = (ix: PathIndex | null | undefined) => ix && { hashes: [...ix.hashes], fds: [...ix.fds], fdHashes: [...ix.fdHashes] };

describe.each(READERS)('the open-path index (native: %s)', (native) => {
  it('holds the hash of every held path and of each of its folders, and the descriptors by their path', () => {
    const ix = indexOf(varied.pid, native)!;
    for (const p of ['/', dir, path.join(dir, 'web'), path.join(dir, 'web/.m'), path.join(dir, 'web/.m/LinkEvents'), path.join(dir, 'web/new\nline'), path.join(dir, 'web/caf\u00e9'), '/dev/null', '/dev']) {
      expect(indexHas(ix, queryHash(p)), p).toBe(true);
    }
    expect(indexHas(ix, queryHash(path.join(dir, 'web/gone'))), 'a deleted file, by its old path').toBe(true);
    expect(indexHas(ix, queryHash(path.join(dir, 'webfoo')))).toBe(false);
    expect(fdsWithHash(ix, queryHash(path.join(dir, 'web/index.php')))).toHaveLength(1);
    expect([...ix.hashes]).toEqual([...ix.hashes].sort((a, b) => a - b));
    expect(new Set(ix.hashes).size).toBe(ix.hashes.length);
    expect(ix.hashes.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('keeps a table of 8000 descriptors on one file, one hash per folder', () => {
    const ix = indexOf(repeated.pid, native)!;
    expect(fdsWithHash(ix, queryHash(path.join(dir, 'web/index.php')))).toHaveLength(8000);
    expect(ix.hashes.length).toBeLessThan(20);
  });

  it('leaves a table over a cap without an index: too many path descriptors, or too many folders', () => {
    expect(indexOf(tooManyFds.pid, native)).toBeNull();
    expect(indexOf(tooManyFolders.pid, native)).toBeNull();
    expect(2 * FOLDERS).toBeGreaterThan(MAX_INDEX_HASHES);
    expect(FOLDERS).toBeLessThan(MAX_INDEXED_FDS);
  });

  it('is not built unless asked for', () => {
    expect(ProcFs.at('/proc', '/', { native }).proc(varied.pid).fdTable().pathIndex).toBeUndefined();
  });
});

describe.skipIf(SKIP_NATIVE)('both readers', () => {
  it('build the same index, hash for hash, for every test process', () => {
    for (const c of children) expect(arrays(indexOf(c.pid, true)), `pid ${c.pid}`).toEqual(arrays(indexOf(c.pid, false)));
  });
});
