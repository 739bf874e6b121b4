/**
 * The open-file search through the scan's open-path index, on the real kernel, on both descriptor
 * paths: a holder from before the scan is found through the index (only its named descriptors read),
 * one that opened the file after the scan (its count moved) is found by a live read, a process the
 * index names by a colliding hash is read and not reported, and a process over the cap is read live
 * and counted. The procfs is the real /proc with its pid list narrowed to the test's children.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFileHolders, type FileQuery } from '../../src/api/file-holders.js';
import { MAX_FILE_HOLDERS } from '../../src/api/file-holders.js';
import { hashBytes, MAX_INDEXED_FDS, queryHash } from '../../src/procfs/path-index.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { ProcReader } from '../../src/procfs/reader.js';
import type { OpenPathIndex } from '../../src/scan/open-path-index.js';
import { Scanner } from '../../src/scan/scanner.js';
import { UserNames } from '../../src/scan/user-names.js';
import { startFdHolder, type HeldChild } from '../support/children.js';
import { SKIP_NATIVE } from '../support/native.js';
import { startOpener, type Opener } from '../support/opener.js';

/** The real /proc, listing only the pids asked for (the host's other processes would be read too). */
class OnlyPids extends ProcReader {
  constructor(private readonly pids: () => number[]) {
    super('/proc');
  }

  override listPids(): number[] {
    return this.pids();
  }
}

/** Two names in `dir` whose full paths have the same FNV-1a hash (a birthday search: ~100k tries). */
function collidingNames(dir: string): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const name = `c${i}`;
    const h = hashBytes(Buffer.from(path.join(dir, name)));
    const other = seen.get(h);
    if (other !== undefined) return [other, name];
    seen.set(h, name);
  }
}

let dir: string;
let held: string;
let lateFile: string;
let ghost: string;
let holder: HeldChild;
let colliding: HeldChild;
let late: Opener;
let crowded: Opener;
let busy: Opener;
const pids = () => [holder, colliding, late, crowded, busy].map((c) => c.pid).sort((a, b) => a - b);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-isearch-'));
  fs.mkdirSync(path.join(dir, 'web'));
  held = path.join(dir, 'web/held');
  lateFile = path.join(dir, 'late');
  const [real, twin] = collidingNames(dir);
  ghost = path.join(dir, twin); // never created: only its hash is held, by `colliding`
  for (const f of [held, lateFile, path.join(dir, real), path.join(dir, 'crowd'), path.join(dir, 'busy')]) fs.writeFileSync(f, '');
  expect(queryHash(ghost)).toBe(queryHash(path.join(dir, real)));
  holder = await startFdHolder(['hold', held]);
  colliding = await startFdHolder(['hold', path.join(dir, real)]);
  late = await startOpener([]);
  crowded = await startOpener([path.join(dir, 'crowd')], MAX_INDEXED_FDS + 1);
  busy = await startOpener([path.join(dir, 'busy')], MAX_FILE_HOLDERS + 10);
}, 60_000);

afterAll(async () => {
  await Promise.all([holder, colliding, late, crowded, busy].map((c) => c?.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(SKIP_NATIVE ? [false] : [true, false])('the open-file search through the index (native: %s)', (native) => {
  let index: OpenPathIndex;
  const search = (q: FileQuery, withIndex = true) => {
    const procfs = new ProcFs(new OnlyPids(pids), { native });
    return findFileHolders(procfs, new UserNames(procfs), q, withIndex ? index : undefined);
  };

  beforeAll(() => {
    const scanned = new Scanner(new ProcFs(new OnlyPids(pids), { native, pathIndex: true })).scan();
    index = scanned.openPathIndex!;
  });

  it('keeps every scanned process in the index, the one over the cap without one', () => {
    expect(index.processes.map((p) => p.pid).sort((a, b) => a - b)).toEqual(pids());
    expect(index.processes.find((p) => p.pid === crowded.pid)!.index).toBeNull();
    expect(index.asOfMs).toBeLessThanOrEqual(Date.now());
  });

  it('finds a file opened before the scan through the index, reading no other table', () => {
    const r = search({ path: held, under: false });
    expect(r.rows).toEqual([expect.objectContaining({ pid: holder.pid, path: held, deleted: false })]);
    expect(r.index).toEqual({ asOfMs: index.asOfMs, processesIndexed: 4, processesCandidates: 1, processesReadWhole: 1, processesOverCap: 1, rowsUnverified: 0, processesNotRead: 0 });
  });

  it('finds what is under a folder through the index, reading only the tables that hold something there', () => {
    const r = search({ path: path.join(dir, 'web'), under: true });
    expect(r.rows.map((row) => row.pid)).toEqual([holder.pid]);
    expect(r.index).toMatchObject({ processesIndexed: 4, processesCandidates: 1, processesReadWhole: 2 });
  });

  it('does not report a process the index names by a colliding hash', () => {
    const r = search({ path: ghost, under: false });
    expect(r.rows).toEqual([]);
    expect(r.index).toMatchObject({ processesCandidates: 1 });
  });

  it('reads a process over the cap live, and counts it', () => {
    const r = search({ path: path.join(dir, 'crowd'), under: false });
    expect(r.rows.length + r.truncated).toBe(MAX_INDEXED_FDS + 1);
    expect(r.rows).toHaveLength(MAX_FILE_HOLDERS);
    expect(r.index).toMatchObject({ processesOverCap: 1, processesCandidates: 0, processesReadWhole: 1 });
  });

  it('counts the rows past the cap from the index without reading them, once the table is full', () => {
    const r = search({ path: path.join(dir, 'busy'), under: false });
    expect(r.rows).toHaveLength(MAX_FILE_HOLDERS);
    expect(r.truncated).toBe(10);
    expect(r.index).toMatchObject({ processesCandidates: 1, rowsUnverified: 10 });
  });

  it('does not read a +D candidate once the rows are full, and counts it', () => {
    const r = search({ path: dir, under: true });
    expect(r.rows).toHaveLength(MAX_FILE_HOLDERS);
    // `busy` comes after `crowded` (read whole: over the cap), which filled the rows
    expect(r.index!.processesNotRead).toBe(1);
    expect(r.index!.processesCandidates).toBeGreaterThanOrEqual(3);
  });

  it('answers the same without an index, reading every table', () => {
    const r = search({ path: held, under: false }, false);
    expect(r.rows).toEqual([expect.objectContaining({ pid: holder.pid, path: held })]);
    expect(r.index).toBeNull();
    expect(r.processesSearched).toBe(5);
  });

  it('finds a file opened after the scan by a process whose descriptor count moved, by a live read', async () => {
    const file = `${lateFile}-${native}`;
    fs.writeFileSync(file, '');
    await late.open(file);
    const r = search({ path: file, under: false });
    expect(r.rows).toEqual([expect.objectContaining({ pid: late.pid, path: file })]);
    expect(r.index).toMatchObject({ processesIndexed: 3, processesCandidates: 0, processesReadWhole: 2 });
  });
});
