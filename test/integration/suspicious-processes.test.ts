/**
 * lsof_suspicious_processes on the real kernel, read from the real exporter's /metrics: children
 * (test/fixtures/c/suspect.c) that really run from a dot-directory named `bash`, from directories the
 * test made world-writable (0777, and 1777 sticky), from a memfd, renamed like a kernel thread, and
 * the controls that must not be flagged: the same program in a 0755 directory, and a shell script
 * named like a system program (`ls`) run through its shebang.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFixture, started, type HeldChild } from '../support/children.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';

/** A directory no o+w directory is above: the controls' reasons must come from the test's own modes. */
function privateBase(): string {
  for (const candidate of [os.homedir(), process.cwd()]) {
    let dir = path.resolve(candidate);
    let open = false;
    for (;;) {
      if ((fs.statSync(dir).mode & 0o002) !== 0) open = true;
      if (dir === '/') break;
      dir = path.dirname(dir);
    }
    if (!open) return fs.mkdtempSync(path.join(candidate, 'lsof-suspicious-'));
  }
  throw new Error('no directory without a world-writable ancestor to run the test from');
}

/** A copy of the helper at `file` (its directories made with `modes`, chmod'ed so the umask does not count). */
function install(binary: string, file: string, modes: Record<string, number> = {}): string {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  for (const [dir, mode] of Object.entries(modes)) fs.chmodSync(dir, mode);
  fs.copyFileSync(binary, file);
  fs.chmodSync(file, 0o755);
  return file;
}

let base: string;
let stickyTmp: string;
const children = new Map<string, HeldChild & { exe: string }>();
let exporter: RunningExporter;
let exposition: string;

async function run(name: string, exe: string, args: string[], cwd: string, expectedExe = exe): Promise<void> {
  const child = spawn(exe, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  children.set(name, { ...(await started(child, name)), exe: expectedExe });
}

beforeAll(async () => {
  const binary = compileFixture('suspect', 'sus');
  base = privateBase();
  stickyTmp = fs.mkdtempSync(path.join(base, 'sticky-'));
  fs.chmodSync(stickyTmp, 0o1777);
  const dotDir = path.join(base, 'public_html/w-agora/.m');
  const open = path.join(base, 'open');
  const plain = path.join(base, 'plain');
  const hidden = install(binary, path.join(dotDir, 'bash'));
  install(binary, path.join(open, 'app/prog'));
  fs.chmodSync(open, 0o777);
  install(binary, path.join(stickyTmp, 'app/prog'));
  const control = install(binary, path.join(plain, 'suspect'));
  const script = path.join(plain, 'ls');
  fs.writeFileSync(script, '#!/bin/sh\necho "ready $$ 0"\nread x\n', { mode: 0o755 });
  await run('hidden', hidden, ['wait'], dotDir);
  await run('open', path.join(open, 'app/prog'), ['wait'], base);
  await run('sticky', path.join(stickyTmp, 'app/prog'), ['wait'], base);
  await run('memfd', control, ['memfd'], base, '/memfd:payload');
  await run('kworker', control, ['rename', 'kworker/0:1'], base);
  await run('control', control, ['wait'], plain);
  await run('script', script, [], plain, fs.realpathSync('/bin/sh'));
  exporter = await startExporter();
  await exporter.waitForScans(2);
  exposition = await exporter.metrics();
}, 120_000);

afterAll(async () => {
  await exporter?.stop();
  await Promise.all([...children.values()].map((c) => c.stop()));
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

/** The reasons the exporter gives the child's process name and executable. */
function reasonsOf(name: string): string[] {
  const c = children.get(name)!;
  const comm = fs.readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim();
  return samplesOf(exposition, 'lsof_suspicious_processes')
    .filter((s) => s.labels.executable === c.exe && s.labels.process === comm && s.labels.user === 'root')
    .map((s) => s.labels.reason!)
    .sort();
}

describe('suspicious processes on the real kernel', () => {
  it('the children really run what the test meant (the kernel agrees)', () => {
    expect(fs.readlinkSync(`/proc/${children.get('memfd')!.pid}/exe`)).toBe('/memfd:payload (deleted)');
    expect(fs.readFileSync(`/proc/${children.get('kworker')!.pid}/comm`, 'utf8')).toBe('kworker/0:1\n');
    expect(fs.readFileSync(`/proc/${children.get('script')!.pid}/comm`, 'utf8')).toBe('ls\n');
    expect(fs.statSync(stickyTmp).mode & 0o7777).toBe(0o1777);
    expect(fs.existsSync('/usr/bin/bash') || fs.existsSync('/bin/bash')).toBe(true);
  });

  it('flags the program named bash in a dot-directory, working there, as hidden and masquerading', () => {
    expect(reasonsOf('hidden')).toEqual(['hidden_cwd', 'hidden_executable', 'masquerading_name']);
  });

  it('flags programs under a 0777 directory and under a 1777 (sticky) one as world-writable', () => {
    expect(reasonsOf('open')).toEqual(['world_writable_executable']);
    expect(reasonsOf('sticky')).toEqual(['world_writable_executable']);
  });

  it('flags a program run from a memfd as memfd_executable, not deleted_executable', () => {
    expect(reasonsOf('memfd')).toEqual(['memfd_executable']);
  });

  it('flags a process that renamed itself kworker/0:1', () => {
    expect(reasonsOf('kworker')).toEqual(['kernel_thread_name']);
  });

  it('flags neither the same program in a 0755 directory nor a script named ls run through its shebang', () => {
    expect(reasonsOf('control')).toEqual([]);
    expect(reasonsOf('script')).toEqual([]);
    // and the script is seen at all: its interpreter is its executable, under its own name
    const script = children.get('script')!;
    expect(samplesOf(exposition, 'lsof_executable_processes').some((s) => s.labels.process === 'ls' && s.labels.executable === script.exe)).toBe(true);
  });

  it('counts no failed lookup', () => {
    expect(samplesOf(exposition, 'lsof_scan_errors').find((s) => s.labels.source === 'path_stat')?.value).toBe(0);
  });
});
