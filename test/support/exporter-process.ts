/**
 * The built exporter (dist/src/main.js) as a child process on a free loopback port, the way an
 * operator runs it. Requires `npm run build` first (npm test does it).
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export const MAIN_JS = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));
const NOBODY = 65534;

/** Whether uid nobody may read `file` (every folder above it must let it through). */
export function nobodyCanRead(file: string): boolean {
  const probe = `require('fs').accessSync(${JSON.stringify(file)}, require('fs').constants.R_OK)`;
  try {
    execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let mainJsForOtherUids: string | undefined;
export const CHECKOUT_MOUNT_PREFIX = 'lsof-checkout-';

/**
 * main.js at a path any uid can reach. A checkout in a private folder (a CI workspace, a mktemp dir)
 * is exposed, as root, through a world-traversable folder for the test run: dist/ and node_modules/
 * bind-mounted, package.json copied (their contents are world-readable after git clone, npm ci and
 * tsc; only the path to them is not). test/global-teardown.ts unmounts them.
 */
export function mainJsForAnyUid(): string {
  if (mainJsForOtherUids) return mainJsForOtherUids;
  if (nobodyCanRead(MAIN_JS)) return (mainJsForOtherUids = MAIN_JS);
  const repo = path.resolve(path.dirname(MAIN_JS), '../..');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), CHECKOUT_MOUNT_PREFIX));
  fs.chmodSync(root, 0o755);
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
  for (const dir of ['dist', 'node_modules']) {
    fs.mkdirSync(path.join(root, dir));
    execFileSync('mount', ['--bind', path.join(repo, dir), path.join(root, dir)]);
  }
  return (mainJsForOtherUids = path.join(root, path.relative(repo, MAIN_JS)));
}

/** The node flags of deploy/systemd, deploy/docker and scripts/start (README "Cost"). */
export const SHIPPED_NODE_FLAGS = ['--max-semi-space-size=1', '--heap-growing-percent=10', '--optimize-for-size', '--v8-pool-size=1', '--no-maglev'];

export interface RunningExporter {
  url: string;
  port: number;
  child: ChildProcess;
  logs: () => string;
  metrics: () => Promise<string>;
  /** Wait until /metrics carries data from at least `n` completed scans. */
  waitForScans: (n?: number, timeoutMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

/** The tests' defaults, each unless the test sets that flag itself (a flag given twice exits 2). */
function withDefaults(args: string[], port: number): string[] {
  const flag = (arg: string) => arg.split('=')[0];
  const defaults = [`--web.listen-address=127.0.0.1:${port}`, '--scan.interval=1s'];
  return [...defaults.filter((d) => !args.some((a) => flag(a) === flag(d))), ...args];
}

/**
 * `wrapper`: a command that execs the exporter, e.g. setpriv dropping to another uid with some capabilities.
 * `firstScanTimeoutMs`: a full scan of a busy shared host (hundreds of processes of other tests) can be slow.
 * `nodeArgs`: node's own flags, e.g. the heap flags the shipped units run it with (SHIPPED_NODE_FLAGS).
 */
export async function startExporter(
  args: string[] = [],
  {
    port: wantedPort,
    waitForFirstScan = true,
    firstScanTimeoutMs = 30_000,
    wrapper = [],
    nodeArgs = [],
    ...opts
  }: SpawnOptions & { port?: number; waitForFirstScan?: boolean; firstScanTimeoutMs?: number; wrapper?: string[]; nodeArgs?: string[] } = {},
): Promise<RunningExporter> {
  const port = wantedPort ?? (await freePort());
  const otherUid = wrapper.length > 0 || (opts.uid !== undefined && opts.uid !== 0);
  const argv = [...wrapper, process.execPath, ...nodeArgs, otherUid ? mainJsForAnyUid() : MAIN_JS, ...withDefaults(args, port)];
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...opts,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const metrics = async () => {
    const res = await fetch(`${url}/metrics`);
    if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
    return res.text();
  };
  const exporter: RunningExporter = {
    url,
    port,
    child,
    logs: () => out,
    metrics,
    waitForScans: async (n = 1, timeoutMs = 30_000) => {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`exporter exited ${child.exitCode}: ${out}`);
        const m = /^lsof_scans_total\{result="success"\} (\d+)/m.exec(await metrics());
        return m && Number(m[1]) >= n ? true : undefined;
      }, `${n} scans`, timeoutMs);
    },
    stop: () => stopChild(child),
  };
  if (waitForFirstScan) {
    try {
      await exporter.waitForScans(1, firstScanTimeoutMs);
    } catch (err) {
      await stopChild(child); // the caller never gets a handle to stop it
      throw err;
    }
  }
  return exporter;
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * The exporter started with exactly `args` (no default listen address), resolved once it logs that it
 * listens; for runs that /metrics over plain HTTP cannot probe (TLS, auth).
 */
export async function spawnListeningExporter(args: string[], opts: SpawnOptions = {}): Promise<{ child: ChildProcess; logs: () => string }> {
  const child = spawn(process.execPath, [MAIN_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`exporter exited ${child.exitCode}: ${out}`);
      return out.includes('msg=listening');
    }, 'the exporter to listen', 60_000);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { child, logs: () => out };
}

/** Runs the exporter expecting it to refuse to start; resolves with its exit code and output. */
export function runToExit(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${timeoutMs}ms: ${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, output });
    });
  });
}
