/**
 * Issue 14, item 3: listeners held by threads that /proc/PID/fd does not show, on the real kernel.
 * Each child (test/fixtures/c/taskholder.c) hides its listener a different way: a thread with its own
 * descriptor table (unshare(CLONE_FILES), also with the process's descriptor count; clone without
 * CLONE_FILES), a thread in a network namespace of its own, and a process whose main thread called
 * pthread_exit (a zombie leader with a live thread). The exporter must attribute every one of them.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFixture, started, type HeldChild } from '../support/children.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';

const MODES = ['unshare', 'samecount', 'clone', 'netns', 'zombie', 'threads'] as const;
type Mode = (typeof MODES)[number];

let binary: string;
const children = new Map<Mode, HeldChild>();
let exporter: RunningExporter;
let exposition: string;

function taskholder(): string {
  return compileFixture('taskholder', 'tsk', ['-pthread']);
}

/** The network namespace of the child's thread that entered one (its leader stays in the host's). */
function threadNetns(pid: number): string {
  const leader = fs.readlinkSync(`/proc/${pid}/ns/net`);
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const ns = fs.readlinkSync(`/proc/${pid}/task/${tid}/ns/net`);
    if (ns !== leader) return /net:\[(\d+)\]/.exec(ns)![1]!;
  }
  throw new Error(`no thread of ${pid} in another network namespace`);
}

beforeAll(async () => {
  binary = taskholder();
  for (const mode of MODES) {
    const child = spawn(binary, [mode, ...(mode === 'threads' ? ['8'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.set(mode, await started(child, `taskholder ${mode}`));
  }
  exporter = await startExporter();
  await exporter.waitForScans(3);
  exposition = await exporter.metrics();
}, 120_000);

afterAll(async () => {
  await exporter?.stop();
  await Promise.all([...children.values()].map((c) => c.stop()));
  fs.rmSync(path.dirname(binary), { recursive: true, force: true });
});

function seriesOnPort(mode: Mode): string[] {
  const port = String(children.get(mode)!.port);
  return samplesOf(exposition, 'lsof_listener_processes')
    .filter((s) => s.labels.port === port && s.labels.protocol === 'tcp')
    .map((s) => `${s.labels.user} ${s.labels.process} ${s.labels.executable} netns=${s.labels.netns} =${s.value}`);
}

describe('listeners held by threads /proc/PID/fd does not show', () => {
  it('the kernel really hides them from /proc/PID/fd (the attack is real)', () => {
    for (const mode of ['unshare', 'samecount', 'clone', 'zombie'] as const) {
      const { pid } = children.get(mode)!;
      const leaderFds = fs.readdirSync(`/proc/${pid}/fd`).map((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      const ssLine = execFileSync('ss', ['-ltnH', `sport = :${children.get(mode)!.port}`]).toString();
      const inode = /ino:(\d+)/.exec(execFileSync('ss', ['-ltneH', `sport = :${children.get(mode)!.port}`]).toString())?.[1];
      expect(ssLine, mode).toContain('LISTEN');
      expect(leaderFds, mode).not.toContain(`socket:[${inode}]`);
    }
    const zombie = children.get('zombie')!.pid;
    expect(fs.readFileSync(`/proc/${zombie}/stat`, 'latin1').split(') ')[1]![0]).toBe('Z');
  });

  it.each(['unshare', 'samecount', 'clone', 'zombie', 'threads'] as const)('attributes the listener of the "%s" child to its process', (mode) => {
    expect(seriesOnPort(mode)).toEqual([`root ${path.basename(binary)} ${binary} netns= =1`]);
  });

  it('reads the socket tables of a namespace only a thread is in, and attributes its listener', () => {
    const netns = threadNetns(children.get('netns')!.pid);
    expect(seriesOnPort('netns')).toEqual([`root ${path.basename(binary)} ${binary} netns=${netns} =1`]);
  });

  it('counts no live multi-threaded process as a zombie', () => {
    const zombies = samplesOf(exposition, 'lsof_processes').filter((s) => s.labels.process === path.basename(binary));
    expect(zombies.reduce((n, s) => n + s.value, 0)).toBe(MODES.length);
  });
});
