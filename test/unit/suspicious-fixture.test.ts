/**
 * The suspicious-processes rules on a fixture tree: each process's /proc/PID/root points at a real
 * directory tree made here with real modes (o+w, sticky, 0755), so the world-writable and system-program
 * lookups of the exe_placement phase run against the filesystem, through the procfs handle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcFs } from '../../src/procfs/proc.js';
import type { ScanContext } from '../../src/scan/context.js';
import { Scanner, type ScannerOptions } from '../../src/scan/scanner.js';
import { suspiciousReasons, suspiciousSignal } from '../../src/signals/suspicious.js';
import { makeFakeProc, type FakeProcSpec } from '../support/fake-proc.js';
import { FixtureReader, fixtureProcFs } from '../support/fixture-reader.js';
import { procfsOver } from '../support/procfs.js';

const OPTIONS: ScannerOptions = { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: true };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A root tree: directories with the modes given (chmod after mkdir, so the umask does not count), files. */
function tree(base: string, spec: { dirs: Record<string, number>; files: string[] }): string {
  const root = path.join(base, 'tree');
  fs.mkdirSync(root, { mode: 0o755 });
  for (const [d, mode] of Object.entries(spec.dirs)) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.chmodSync(path.join(root, d), mode);
  }
  for (const f of spec.files) fs.writeFileSync(path.join(root, f), '#!/bin/false\n', { mode: 0o755 });
  return root;
}

/** One scan of processes that share a tree built in the fixture's directory. */
function scanWith(processes: (root: string) => FakeProcSpec['processes'], meta: FakeProcSpec['meta'] = {}, procfsOf = fixtureProcFs): ScanContext {
  const fx = makeFakeProc({ processes: [], meta });
  dirs.push(fx.dir);
  const root = tree(fx.dir, {
    dirs: {
      usr: 0o755,
      'usr/bin': 0o755,
      'usr/sbin': 0o755,
      'usr/lib/x': 0o755,
      tmp: 0o1777,
      'tmp/.x': 0o755,
      'tmp/build': 0o700,
      'home/u/public_html/w-agora/.m': 0o755,
      'srv/open': 0o777,
      'srv/open/sub': 0o755,
      'srv/app': 0o755,
      'srv/trailing': 0o755,
    },
    files: ['usr/bin/bash', 'usr/bin/ls', 'usr/sbin/sshd'],
  });
  const full = makeFakeProc({ processes: processes(root), meta });
  dirs.push(full.dir);
  return new Scanner(procfsOf(full), OPTIONS).scan();
}

function reasonsByPid(ctx: ScanContext): Record<number, string[]> {
  return Object.fromEntries(ctx.processes.map((p) => [p.pid, suspiciousReasons(p)]));
}

describe('suspicious processes on a fixture tree with real modes', () => {
  it('gives each process its reasons, and none to a shebang script, a system program or an unreadable exe', () => {
    const ctx = scanWith(
      (root) => [
        { pid: 10, comm: 'bash', uid: 33, exe: '/home/u/public_html/w-agora/.m/bash', cwd: '/home/u/public_html/w-agora/.m', root },
        { pid: 11, comm: 'x', exe: '/tmp/.x/x', cwd: '/tmp', root },
        { pid: 12, comm: 'kworker/0:1', exe: '/srv/app/prog', cwd: '/', root },
        { pid: 13, comm: 'backup.sh', exe: '/usr/bin/bash', cwd: '/home/u', root },
        { pid: 14, comm: 'payload', exe: '/memfd:payload (deleted)', cwd: '/', root },
        { pid: 15, comm: 'app', exe: '/usr/sbin/app (deleted)', cwd: '/', root },
        { pid: 16, comm: 'prog', exe: '/srv/open/sub/prog', cwd: '/', root },
        { pid: 17, comm: 'sshd', exe: '/srv/app/sshd', cwd: '/', root },
        { pid: 18, comm: 'kworker/1:0', cwd: '/', root },
        { pid: 19, comm: 'MainThread', exe: '/usr/bin/node', cwd: '/', root },
        { pid: 20, comm: 'main', exe: '/tmp/build/main', cwd: '/tmp/build', root },
        { pid: 21, comm: 'ls', exe: '/usr/lib/x/ls', cwd: '/', root },
      ],
      { stats: { '14/exe': { nlink: 0, size: 10, dev: 1, ino: 1 }, '15/exe': { nlink: 0, size: 10, dev: 2049, ino: 2 } } },
    );
    expect(reasonsByPid(ctx)).toEqual({
      10: ['hidden_executable', 'hidden_cwd', 'masquerading_name'],
      11: ['hidden_executable', 'world_writable_executable'],
      12: ['kernel_thread_name'],
      13: [],
      14: ['memfd_executable'],
      15: ['deleted_executable'],
      16: ['world_writable_executable'],
      17: ['masquerading_name'],
      18: [],
      19: [],
      // sticky or not, whoever owns the rest of the path: /tmp lets any account create a program
      20: ['world_writable_executable'],
      21: [],
    });
    expect(ctx.processes.find((p) => p.pid === 11)?.exePlacement).toEqual({ worldWritableDir: '/tmp', systemProgramNamed: false });
    expect(ctx.processes.find((p) => p.pid === 16)?.exePlacement?.worldWritableDir).toBe('/srv/open');
    expect(ctx.stats.errors.path_stat).toBe(0);
  });

  it('exposes one series per user, process, executable and reason, counting processes', () => {
    const ctx = scanWith((root) => [
      { pid: 10, comm: 'bash', uid: 33, exe: '/home/u/public_html/w-agora/.m/bash', cwd: '/home/u/public_html/w-agora/.m', root },
      { pid: 11, comm: 'bash', uid: 33, exe: '/home/u/public_html/w-agora/.m/bash', cwd: '/', root },
    ]);
    const samples = suspiciousSignal.derive(ctx, { groupBy: ['user', 'process'], deletedTop: 0, watchedRemotePorts: [] }).suspiciousProcesses;
    const exe = '/home/u/public_html/w-agora/.m/bash';
    expect(samples).toEqual([
      { labels: { user: 'www-data', process: 'bash', executable: exe, reason: 'hidden_executable' }, value: 2 },
      { labels: { user: 'www-data', process: 'bash', executable: exe, reason: 'hidden_cwd' }, value: 1 },
      { labels: { user: 'www-data', process: 'bash', executable: exe, reason: 'masquerading_name' }, value: 2 },
    ]);
  });

  it('looks up directories with odd names as they are: a newline, a trailing dot, a name of dots', () => {
    const ctx = scanWith((root) => {
      for (const [dir, mode] of [['srv/.\nodd', 0o777], ['srv/x.', 0o755], ['srv/x./...', 0o757]] as const) {
        fs.mkdirSync(path.join(root, dir), { recursive: true });
        fs.chmodSync(path.join(root, dir), mode);
      }
      return [
        { pid: 60, comm: 'prog', exe: '/srv/.\nodd/prog', cwd: '/srv/x.', root },
        { pid: 61, comm: 'prog', exe: '/srv/x./.../prog', cwd: '/srv/x./...', root },
      ];
    });
    expect(reasonsByPid(ctx)).toEqual({
      60: ['hidden_executable', 'world_writable_executable'],
      61: ['hidden_executable', 'hidden_cwd', 'world_writable_executable'],
    });
    expect(ctx.processes.map((p) => p.exePlacement?.worldWritableDir)).toEqual(['/srv/.\nodd', '/srv/x./...']);
    expect(ctx.stats.errors.path_stat).toBe(0);
  });

  it('leaves a chrooted process and one without a readable root unknown, not wrong', () => {
    const ctx = scanWith((root) => [{ pid: 30, comm: 'prog', exe: '/tmp/.x/x', cwd: '/', root }, { pid: 31, comm: 'sshd', exe: '/srv/app/sshd', cwd: '/' }], { rootLinks: { '30': '/srv/jail' } });
    for (const p of ctx.processes) expect(p.exePlacement).toEqual({ worldWritableDir: null, systemProgramNamed: null });
    // the hidden directory is the path's own fact, no lookup needed
    expect(reasonsByPid(ctx)).toEqual({ 30: ['hidden_executable'], 31: [] });
  });

  it('counts a lookup that fails (not "no such entry") as a path_stat error and leaves that fact unknown', () => {
    class FailingReader extends FixtureReader {
      override lstat(file: string) {
        if (file.endsWith('/srv/app')) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        return super.lstat(file);
      }
    }
    const failing = (fx: { procfs: string; rootfs: string }): ProcFs => procfsOver(new FailingReader(fx.procfs, fx.rootfs), {});
    const ctx = scanWith((root) => [{ pid: 40, comm: 'sshd', exe: '/srv/app/sshd', cwd: '/', root }, { pid: 41, comm: 'y', exe: '/srv/app/y', cwd: '/', root }], {}, failing);
    // the same directory is looked up once per scan: one error for two processes
    expect(ctx.stats.errors.path_stat).toBe(1);
    expect(ctx.processes.map((p) => p.exePlacement)).toEqual([
      { worldWritableDir: null, systemProgramNamed: true },
      { worldWritableDir: null, systemProgramNamed: false },
    ]);
  });

  it('skips the phase when no enabled signal needs it', () => {
    const fx = makeFakeProc({ processes: [{ pid: 50, comm: 'x', exe: '/tmp/.x/x', cwd: '/.hidden' }] });
    dirs.push(fx.dir);
    const ctx = new Scanner(fixtureProcFs(fx), { ...OPTIONS, exePlacement: false }).scan();
    expect(ctx.processes[0]).toMatchObject({ cwd: '', exePlacement: null });
    expect(ctx.stats.phaseSeconds.exe_placement).toBe(0);
  });
});
