/**
 * The open-file search's inner loop (lsof FILE, lsof +D DIR) on the real kernel, on both descriptor
 * paths: the native findFdLinks and the TypeScript loop must name the same descriptors, component-wise
 * (a folder does not match its prefix twin), with a deleted file under its old path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcFs } from '../../src/procfs/proc.js';
import { startFdHolder, type HeldChild } from '../support/children.js';
import { SKIP_NATIVE } from '../support/native.js';

const PATHS = SKIP_NATIVE ? [false] : [true, false];
let dir: string;
let holder: HeldChild;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-search-'));
  for (const d of ['web', 'web/.m', 'webfoo']) fs.mkdirSync(path.join(dir, d));
  const files = ['web/index.php', 'web/.m/LinkEvents', 'webfoo/other', 'web/gone', 'web/new\nline'].map((f) => path.join(dir, f));
  for (const f of files) fs.writeFileSync(f, 'x');
  holder = await startFdHolder(['hold', ...files]);
  fs.unlinkSync(path.join(dir, 'web/gone')); // held, deleted: lsof shows it with " (deleted)"
});

afterAll(async () => {
  await holder?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(PATHS)('matching descriptor links (native: %s)', (native) => {
  const links = (query: string, under: boolean) =>
    ProcFs.at('/proc', '/', { native })
      .proc(holder.pid)
      .fdLinksMatching({ path: query, under })
      .map((l) => l.raw.slice(dir.length))
      .sort();

  it('finds everything below a folder, deleted and odd names included, and not its prefix twin', () => {
    expect(links(path.join(dir, 'web'), true)).toEqual(['/web/.m/LinkEvents', '/web/gone (deleted)', '/web/index.php', '/web/new\nline']);
  });

  it('finds one file exactly, and a deleted one by its old path', () => {
    expect(links(path.join(dir, 'web/index.php'), false)).toEqual(['/web/index.php']);
    expect(links(path.join(dir, 'web/gone'), false)).toEqual(['/web/gone (deleted)']);
    expect(links(path.join(dir, 'web'), false)).toEqual([]); // the folder itself is not held
  });
});
