/**
 * --watch.path on the real kernel (issue 13, item 4): children as root and as nobody hold files under
 * a watched directory and a watched file (odd names, a prefix sibling, a deleted file), and the scan
 * reports per process what `lsof +D DIR` and `lsof FILE` list, on both descriptor paths, which must
 * agree table for table. A hostile account opening thousands of files under the watched directory
 * from many process names must not evict other accounts' series.
 * Every child is killed by its pid (stdin closed, then SIGKILL) or, for a forking one, its group.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/model.js';
import type { FdTable } from '../../src/procfs/fd-table.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { watchList } from '../../src/procfs/watched-paths.js';
import type { ScanContext } from '../../src/scan/context.js';
import { Scanner, type ScannerOptions } from '../../src/scan/scanner.js';
import { watchedPathsSignal } from '../../src/signals/watched-paths.js';
import { fdholderBinary, fdholderComm, started, startFdHolder, startPython as startPythonChild, type HeldChild } from '../support/children.js';
import { SKIP_NATIVE } from '../support/native.js';

const NOBODY = 65534;
const NO_CACHE: ScannerOptions = { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: false };
const PATHS = SKIP_NATIVE ? [false] : [true, false];

let tmp: string;
let web: string;
let watchedFile: string;
const held: HeldChild[] = [];
const groups: number[] = [];

/** A python3 child (as `uid`) in a process group of its own, which afterAll ends as a whole. */
async function startPython(setup: string, uid?: number): Promise<HeldChild> {
  const held = await startPythonChild(setup, { detached: true, ...(uid !== undefined && { uid, gid: NOBODY }) });
  groups.push(held.child.pid!);
  return held;
}

function mkdirs(...dirs: string[]): void {
  for (const d of dirs) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
}

function touch(...files: string[]): void {
  for (const f of files) fs.writeFileSync(f, 'x', { mode: 0o644 });
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-watch-'));
  fs.chmodSync(tmp, 0o755);
  web = path.join(tmp, 'web');
  watchedFile = path.join(tmp, 'shadow');
  mkdirs(path.join(web, 'a', 'b'), path.join(tmp, 'webx'), path.join(web, 'flood'));
  fs.chmodSync(path.join(web, 'flood'), 0o777);
  touch(path.join(web, 'index.html'), path.join(web, 'a', 'b', 'deep.txt'), path.join(tmp, 'webx', 'not-me'), watchedFile, `${watchedFile}x`);
  touch(path.join(web, 'new\nline'), path.join(web, 'gone.txt'), path.join(web, 'ends (deleted)'));
  fs.writeFileSync(Buffer.from(`${web}/bytes-\xff\xfe`, 'latin1'), 'x', { mode: 0o644 });
});

afterAll(async () => {
  await Promise.all(held.map((h) => h.stop()));
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Descriptors (numeric FDs only) per pid, as `lsof -F pf ARGS` lists them. */
function lsofFds(args: string[]): Map<number, number> {
  const r = spawnSync('lsof', ['-n', '-P', '-w', '-F', 'pf', ...args], { encoding: 'latin1', timeout: 60_000 });
  const counts = new Map<number, number>();
  let pid = 0;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('p')) pid = Number(line.slice(1));
    else if (/^f\d+$/.test(line)) counts.set(pid, (counts.get(pid) ?? 0) + 1);
  }
  return counts;
}

/** The scan's descriptors per pid for one watched path. */
function scanned(ctx: ScanContext, watch: string): Map<number, number> {
  return new Map((ctx.watchedPaths ?? []).filter((r) => r.path === watch).map((r) => [r.pid, r.descriptors]));
}

function scanWith(native: boolean, watches: string[]): ScanContext {
  return new Scanner(ProcFs.at('/proc', '/', { native, watches: watchList(watches) }), NO_CACHE).scan();
}

describe('watched paths on the real kernel', () => {
  let rootHolder: HeldChild;
  let nobodyHolder: HeldChild;
  let oddNames: HeldChild;

  beforeAll(async () => {
    rootHolder = await startFdHolder(['hold', path.join(web, 'index.html'), path.join(web, 'index.html'), path.join(web, 'a', 'b', 'deep.txt'), path.join(tmp, 'webx', 'not-me'), `${watchedFile}x`, web]);
    nobodyHolder = await startFdHolder(['hold', watchedFile, path.join(web, 'a', 'b', 'deep.txt')], { uid: NOBODY, gid: NOBODY });
    held.push(rootHolder, nobodyHolder);
    oddNames = await startPython(
      [
        `w = ${JSON.stringify(web)}.encode()`,
        `keep = [os.open(w + p, os.O_RDONLY) for p in (b'/new\\nline', b'/bytes-\\xff\\xfe', b'/gone.txt', b'/ends (deleted)')]`,
        `os.unlink(w + b'/gone.txt')`,
      ].join('\n'),
    );
    held.push(oddNames);
  });

  it.each(PATHS)('counts per process what lsof +D DIR and lsof FILE list (native: %s)', (native) => {
    const ctx = scanWith(native, [web, watchedFile]);
    const underWeb = scanned(ctx, web);
    expect(underWeb.get(rootHolder.pid)).toBe(4); // index.html twice, deep.txt, and the directory itself
    expect(underWeb.get(nobodyHolder.pid)).toBe(1);
    expect(underWeb.get(oddNames.pid)).toBe(4); // newline, invalid UTF-8, " (deleted)" in a live name, and a deleted file
    expect(scanned(ctx, watchedFile)).toEqual(new Map([[nobodyHolder.pid, 1]]));

    // lsof +D walks the directory: the deleted file is no longer in it, so lsof lists one fewer.
    const expected = lsofFds(['+D', web]);
    expected.set(oddNames.pid, (expected.get(oddNames.pid) ?? 0) + 1);
    expect(underWeb).toEqual(expected);
    expect(scanned(ctx, watchedFile)).toEqual(lsofFds([watchedFile]));
  }, 150_000); // lsof reads every process of the host: seconds on a loaded machine

  it('counts a file under the name the holder sees in its own mount namespace (as the kernel writes the link)', async () => {
    const source = path.join(tmp, 'ns-source');
    const view = path.join(tmp, 'ns-view');
    mkdirs(source, view);
    touch(path.join(source, 'secret'));
    // A bind mount only the child's mount namespace has: the host names the file under source/.
    const script = `mount --bind "$1" "$2" && exec 3<"$2/secret" && echo ready $$ 0 && read x`;
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', source, view], { stdio: ['pipe', 'pipe', 'pipe'] });
    const ns = await started(child, 'unshare holder');
    held.push(ns);
    const ctx = scanWith(!SKIP_NATIVE, [view, source]);
    expect(scanned(ctx, view).get(ns.pid)).toBe(1);
    expect(scanned(ctx, source).get(ns.pid)).toBeUndefined();
  });

  it('exposes the holders by user and process, with the configured path as the label', () => {
    const ctx = scanWith(!SKIP_NATIVE, [web, watchedFile]);
    const m = buildModel(ctx, [watchedPathsSignal], { groupBy: ['user', 'process'], maxSeries: 2000, deletedTop: 0, watchedRemotePorts: [] });
    const descriptors = m.samples.watched_path_descriptors!;
    expect(descriptors).toContainEqual({ labels: { user: 'nobody', process: fdholderComm(), path: watchedFile }, value: 1 });
    expect(descriptors).toContainEqual({ labels: { user: 'nobody', process: fdholderComm(), path: web }, value: 1 });
    expect(descriptors).toContainEqual({ labels: { user: 'root', process: fdholderComm(), path: web }, value: 4 });
    expect(descriptors).toContainEqual({ labels: { user: 'root', process: 'python3', path: web }, value: 4 });
    expect(descriptors.every((s) => s.labels.path === web || s.labels.path === watchedFile)).toBe(true);
    expect(m.samples.watched_path_processes).toContainEqual({ labels: { path: watchedFile }, value: 1 });
  });

  it.skipIf(SKIP_NATIVE)('gives the same table on both descriptor paths, hits included', () => {
    const watches = watchList([web, watchedFile, `${web}/a`, '/']);
    const fast = ProcFs.at('/proc', '/', { native: true, watches });
    const slow = ProcFs.at('/proc', '/', { native: false, watches });
    for (const h of [rootHolder, nobodyHolder, oddNames]) {
      const a = fast.proc(h.pid).fdTable();
      const b = slow.proc(h.pid).fdTable();
      expect(plain(a)).toEqual(plain(b));
      expect(a.watchedHits!.length).toBeGreaterThan(0);
    }
    // Every path descriptor is under "/", the root watch.
    const root = fast.proc(rootHolder.pid).fdTable();
    expect(pairs(root).get(3)).toBe(root.nonSocket.file + root.nonSocket.device);
    expect(pairs(root).get(2)).toBe(1); // deep.txt under web/a
  });

  it('costs nothing without watched paths: tables carry no hits', () => {
    const table = ProcFs.at('/proc', '/', { native: !SKIP_NATIVE }).proc(rootHolder.pid).fdTable();
    expect(table.watchedHits?.length ?? 0).toBe(0);
    expect(scanWith(!SKIP_NATIVE, []).watchedPaths).toBeUndefined();
  });
});

function pairs(t: FdTable): Map<number, number> {
  const out = new Map<number, number>();
  const h = t.watchedHits ?? new Uint32Array(0);
  for (let i = 0; i < h.length; i += 2) out.set(h[i]!, h[i + 1]!);
  return out;
}

function plain(t: FdTable) {
  return { count: t.count, nonSocket: t.nonSocket, deleted: [...t.deletedCandidates].sort((a, b) => a.fd - b.fd), hits: [...pairs(t)] };
}

describe('a hostile account flooding a watched directory', () => {
  it('keeps other accounts\' series and the exact holder count when thousands of files and many process names exceed the cap', async () => {
    const flood = path.join(web, 'flood');
    const victimBinary = path.join(tmp, 'sshd-victim');
    fs.copyFileSync(fdholderBinary(), victimBinary);
    fs.chmodSync(victimBinary, 0o755);
    const victim = await startFdHolder(['hold', watchedFile, path.join(web, 'index.html')], { binary: victimBinary });
    held.push(victim);
    // nobody: one process holding 3,000 files under the watched directory, and 12 children each
    // under a name of its own, all holding files there.
    const attacker = await startPython(
      [
        'import resource',
        'soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)',
        'resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))',
        `d = ${JSON.stringify(flood)}`,
        'keep = [os.open(f"{d}/f{i}", os.O_RDONLY | os.O_CREAT, 0o600) for i in range(3000)]',
        'r, w = os.pipe()',
        'for k in range(12):',
        '    if os.fork() == 0:',
        '        for fd in keep: os.close(fd)',
        '        open("/proc/self/comm", "w").write(f"flood{k:02d}")',
        '        mine = [os.open(f"{d}/c{k}-{i}", os.O_RDONLY | os.O_CREAT, 0o600) for i in range(10)]',
        '        os.write(w, b"x")',
        '        sys.stdin.read()',
        '        os._exit(0)',
        '# ready once every child has its name and its files',
        'got = 0',
        'while got < 12: got += len(os.read(r, 12 - got))',
      ].join('\n'),
      NOBODY,
    );
    held.push(attacker);
    const ctx = scanWith(!SKIP_NATIVE, [web, watchedFile]);
    const opts = { groupBy: ['user', 'process'] as ('user' | 'process')[], deletedTop: 0, watchedRemotePorts: [] };
    const all = buildModel(ctx, [watchedPathsSignal], { ...opts, maxSeries: 2000 }).samples.watched_path_descriptors!;
    // The 3,000 files are one series (the path label is the watched directory), not 3,000.
    expect(all).toContainEqual({ labels: { user: 'nobody', process: 'python3', path: web }, value: 3000 });
    expect(all.filter((s) => s.labels.user === 'nobody' && s.labels.process?.startsWith('flood'))).toHaveLength(12);
    // A cap of twice root's series: nobody has more than root, and must not take any of root's slots.
    const rootSeries = all.filter((s) => s.labels.user === 'root');
    const m = buildModel(ctx, [watchedPathsSignal], { ...opts, maxSeries: 2 * rootSeries.length });
    const kept = m.samples.watched_path_descriptors!;
    expect(kept).toContainEqual({ labels: { user: 'root', process: 'sshd-victim', path: watchedFile }, value: 1 });
    expect(kept).toContainEqual({ labels: { user: 'root', process: 'sshd-victim', path: web }, value: 1 });
    for (const s of rootSeries) expect(kept).toContainEqual(s);
    expect(m.dropped.watched_path_descriptors).toBe(all.length - 2 * rootSeries.length);
    expect(m.dropped.watched_path_descriptors).toBeGreaterThanOrEqual(10);
    // The uncapped holder count stays exact: the victim, python3 and its 12 children, and the others.
    const holders = (ctx.watchedPaths ?? []).filter((r) => r.path === web).length;
    expect(m.samples.watched_path_processes).toContainEqual({ labels: { path: web }, value: holders });
  });
});
