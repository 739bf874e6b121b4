/**
 * Bench tooling around the C helpers: compile them with gcc once per run, and run a command under
 * `measure` to get its CPU (user + system from wait4's rusage) and wall time.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The C sources live in bench/c: beside this file when run from source, ../../bench/c from dist/bench. */
const SOURCES = [new URL('./c/', import.meta.url), new URL('../../bench/c/', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((dir) => fs.existsSync(path.join(dir, 'workload.c')))!;

export interface Binaries {
  dir: string;
  workload: string;
  floor: string;
  measure: string;
  /** The listener poll's floors: sock_diag dumps, or whole reads of socket tables (bench/c/sockdiag.c). */
  sockdiag: string;
  /** The thread walk's calls alone (bench/c/taskwalk.c): `ROUNDS PID...` -> "threads N cpu_seconds S". */
  taskwalk: string;
}

export function compileHelpers(): Binaries {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-bench-bin-'));
  fs.chmodSync(dir, 0o755); // the workload also runs as nobody
  const build = (name: string) => {
    const out = path.join(dir, name);
    execFileSync('gcc', ['-O2', '-Wall', '-pthread', '-o', out, path.join(SOURCES, `${name}.c`)]);
    return out;
  };
  return { dir, workload: build('workload'), floor: build('floor'), measure: build('measure'), sockdiag: build('sockdiag'), taskwalk: build('taskwalk') };
}

export interface Measured {
  cpuSeconds: number;
  wallSeconds: number;
  stdout: string;
}

/** Run a command to completion under `measure`, keeping its stdout (lsof output can be tens of MB). */
export function runMeasured(bin: Binaries, cmd: string, args: string[]): Promise<Measured> {
  const report = path.join(bin.dir, `measure-${process.pid}-${Date.now()}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(bin.measure, [report, cmd, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const [user, system, wall, status] = fs.readFileSync(report, 'utf8').trim().split(' ').map(Number);
        fs.rmSync(report, { force: true });
        if (status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${status}`);
        resolve({ cpuSeconds: user! + system!, wallSeconds: wall!, stdout: Buffer.concat(chunks).toString('latin1') });
      } catch (err) {
        reject(err);
      }
    });
  });
}

export interface PollFloor {
  cpuSecondsPerRound: number;
  rounds: number;
  /** `diag` only: "proto family port inode" of each socket of its last round. */
  sockets: string[];
}

/**
 * bench/c/sockdiag.c: `['diag']` (four sock_diag dumps of listening sockets) or
 * `['read', dir, ...files]` (the text tables read whole), repeated for at least `minSeconds`; it
 * times its own loop with getrusage.
 */
export function runPollFloor(bin: Binaries, [mode, ...rest]: string[], minSeconds: number): PollFloor {
  const args = [mode!, String(minSeconds), ...rest];
  const out = execFileSync(bin.sockdiag, args, { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
  const m = /^rounds (\d+) cpu_seconds_per_round ([\d.]+)$/m.exec(out);
  if (!m) throw new Error(`sockdiag ${args.join(' ')}: unexpected output "${out.slice(0, 200)}"`);
  const sockets = [...out.matchAll(/^L (.+)$/gm)].map((l) => l[1]!);
  return { rounds: Number(m[1]), cpuSecondsPerRound: Number(m[2]), sockets };
}
