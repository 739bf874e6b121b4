/**
 * The thread walk in C (procfs_fast.c compareTasks, issue 14 item 3's cost) must give exactly what the
 * TypeScript loop gives, on the real kernel: children (test/fixtures/c/taskholder.c) with a thread
 * that has its own descriptor table (unshare(CLONE_FILES), also with the process's count; clone
 * without CLONE_FILES), a thread in a network namespace of its own, a zombie leader with a live
 * thread, and an ordinary 8-thread process; and a thread that exits while the walk runs costs only
 * itself (the churn child starts and joins short-lived threads without end).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../src/procfs/native.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { ProcReader } from '../../src/procfs/reader.js';
import type { TaskBaseline } from '../../src/procfs/task-compare.js';
import { Scanner } from '../../src/scan/scanner.js';
import { compileFixture, started, type HeldChild } from '../support/children.js';
import { SKIP_NATIVE } from '../support/native.js';

const MODES = ['unshare', 'samecount', 'clone', 'netns', 'zombie', 'threads', 'churn'] as const;
type Mode = (typeof MODES)[number];

let binary: string;
const children = new Map<Mode, HeldChild>();

/** /proc listing only the children, so a scan is of them alone. */
class ChildrenOnly extends ProcReader {
  constructor() {
    super('/proc', '/');
  }
  override listPids(): number[] {
    return [...children.values()].map((c) => c.pid).sort((a, b) => a - b);
  }
}

const fast = new ProcFs(new ChildrenOnly());
const slow = new ProcFs(new ChildrenOnly(), { native: false });

/** The process's own count and namespace, as the scanner compares its threads with them. */
function baselineOf(pid: number): TaskBaseline {
  const netns = /^net:\[(\d+)\]$/.exec(readlinkOrEmpty(`/proc/${pid}/ns/net`))?.[1] ?? '';
  return { fdCount: fs.statSync(`/proc/${pid}/fd`).size, netns };
}

function readlinkOrEmpty(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return ''; // a zombie leader's ns links cannot be read
  }
}

const compare = (procfs: ProcFs, pid: number, skip: number[] = [pid]) => procfs.proc(pid).compareTasks(baselineOf(pid), new Set(skip));

beforeAll(async () => {
  binary = compileFixture('taskholder', 'tsk', ['-pthread']);
  for (const mode of MODES) {
    const child = spawn(binary, [mode, ...(mode === 'threads' ? ['8'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.set(mode, await started(child, `taskholder ${mode}`));
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([...children.values()].map((c) => c.stop()));
  if (binary) fs.rmSync(path.dirname(binary), { recursive: true, force: true });
});

describe.skipIf(SKIP_NATIVE)('the thread walk in C', () => {
  it('runs natively where the descriptor tables do', () => {
    expect(fast.tasks.native).toBe(true);
    expect(slow.tasks.native).toBe(false);
  });

  it.each(['unshare', 'samecount', 'clone', 'netns', 'zombie', 'threads'] as const)('compares the threads of the "%s" child as the TypeScript loop does', (mode) => {
    const { pid } = children.get(mode)!;
    const got = compare(fast, pid);
    expect(got).toEqual(compare(slow, pid));
    expect(got.tids).toEqual(fs.readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b));
    expect(got.compared).toBe(got.tids.length - 1);
  });

  it('finds what each child hides, and nothing in an ordinary process', () => {
    const found = (mode: Mode) => {
      const { pid } = children.get(mode)!;
      const base = baselineOf(pid);
      return compare(fast, pid).differing.map((t) => ({ ownCount: t.fdCount !== null && t.fdCount !== base.fdCount, otherNetns: t.netns !== null && t.netns !== base.netns }));
    };
    expect(found('unshare')).toEqual([{ ownCount: true, otherNetns: false }]);
    expect(found('clone')).toEqual([{ ownCount: true, otherNetns: false }]);
    expect(found('netns')).toEqual([{ ownCount: false, otherNetns: true }]);
    expect(found('samecount')).toEqual([]); // same count: the holder search's case (tasks.ts)
    expect(found('threads')).toEqual([]);
    expect(compare(fast, children.get('threads')!.pid).tids).toHaveLength(8);
  });

  it('skips the threads it is told to skip, as the TypeScript loop does', () => {
    const { pid } = children.get('unshare')!;
    const all = compare(fast, pid).tids;
    const hidden = compare(fast, pid).differing[0]!.tid;
    const skip = [pid, hidden];
    const got = compare(fast, pid, skip);
    expect(got).toEqual(compare(slow, pid, skip));
    expect(got).toEqual({ tids: all, differing: [], compared: all.length - 2 });
  });

  it('throws ENOENT for a process that is gone, as readdir does', () => {
    const gone = 2 ** 30;
    for (const procfs of [fast, slow]) expect(() => procfs.proc(gone).compareTasks({ fdCount: 1, netns: '' }, new Set())).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('lets a thread that exits during the walk cost only itself', () => {
    const { pid } = children.get('churn')!;
    let raced = 0;
    for (let i = 0; i < 300; i++) {
      const got = compare(fast, pid);
      // The thread with its own table is found every time, whatever exited around it.
      expect(got.differing.filter((t) => t.fdCount !== baselineOf(pid).fdCount && t.fdCount !== null)).toHaveLength(1);
      const alive = new Set(fs.readdirSync(`/proc/${pid}/task`).map(Number));
      raced += got.tids.filter((tid) => !alive.has(tid)).length;
    }
    expect(raced).toBeGreaterThan(0); // threads listed by the walk had exited by its end: the race is real
  });

  it('scans the children to the same listeners, holders and thread counts on both paths', () => {
    const scan = (procfs: ProcFs) => {
      const s = new Scanner(procfs, { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: false, memfds: false, exePlacement: false }).scan();
      const ports = new Map([...children].filter(([m]) => m !== 'churn').map(([m, c]) => [c.port, m]));
      const held = s.listeners.filter((l) => ports.has(l.port)).map((l) => `${ports.get(l.port)} ${l.port} ${l.holders.join(',')}`);
      return { held: held.sort(), processes: s.processes.map((p) => p.pid).sort() };
    };
    const a = scan(fast);
    expect(a).toEqual(scan(slow));
    for (const mode of ['unshare', 'samecount', 'clone', 'netns', 'zombie', 'threads'] as const) {
      const c = children.get(mode)!;
      expect(a.held, mode).toContain(`${mode} ${c.port} ${c.pid}`);
    }
  });
});

describe.skipIf(SKIP_NATIVE)('the thread walk in C on a hostile task tree', () => {
  let dir: string;
  /** /proc/1/task/TID/{fd/, ns/net} of a fake tree; a null link leaves the entry out (an exited thread). */
  function task(tid: string, netns: string | null, fd = true) {
    const t = path.join(dir, '1', 'task', tid);
    fs.mkdirSync(path.join(t, 'ns'), { recursive: true });
    if (fd) fs.mkdirSync(path.join(t, 'fd'));
    if (netns !== null) fs.symlinkSync(netns, path.join(t, 'ns', 'net'));
  }
  const baseline = { fdCount: 1, netns: '100' };
  const both = () => [ProcFs.at(dir), ProcFs.at(dir, '/', { native: false })].map((p) => p.proc(1).compareTasks(baseline, new Set([1])));

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-native-tasks-'));
    task('1', 'net:[100]');
    task('2', 'net:[100]');
    task('3', 'net:[200]', false); // its fd folder is gone: its count is unknown, its namespace differs
    task('4', null, false); // exited: nothing left to read
    task('5', 'net:[12x]'); // not a namespace link: unknown
    task('0007', 'net:[300]'); // read as thread 7, whose folder does not exist
    fs.mkdirSync(path.join(dir, '1', 'task', 'not-a-tid'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every thread as the TypeScript loop does, a missing entry costing that thread only', () => {
    const [a, b] = both();
    expect(a).toEqual(b);
    expect(a!.tids).toEqual([1, 2, 3, 4, 5, 7]);
    // A fake fd folder's size (ext4, tmpfs) is not 1: threads 2 and 5 have "their own count".
    expect(a!.differing.map((t) => [t.tid, t.netns])).toEqual([
      [2, '100'],
      [3, '200'],
      [5, null],
    ]);
  });

  it('hands a namespace link longer than the kernel writes, or a thread id over int32, to the TypeScript loop', () => {
    const addon = loadNative().native!;
    const taskDir = path.join(dir, '1', 'task');
    expect(addon.compareTasks(taskDir, 1, '100', new Int32Array([1]))).not.toBeNull();
    task('6', `net:[${'9'.repeat(30)}]`);
    expect(addon.compareTasks(taskDir, 1, '100', new Int32Array([1]))).toBeNull();
    const [a, b] = both();
    expect(a).toEqual(b);
    expect(a!.differing.map((t) => t.netns)).toContain('9'.repeat(30));
    fs.rmSync(path.join(taskDir, '6'), { recursive: true });
    task('4294967296', 'net:[100]');
    expect(addon.compareTasks(taskDir, 1, '100', new Int32Array([1]))).toBeNull();
    const [c, d] = both();
    expect(c).toEqual(d);
    expect(c!.tids).toContain(4294967296);
  });
});
