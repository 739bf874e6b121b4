/**
 * Child processes that hold known descriptors, for tests on the real /proc:
 *  - fdholder (test/fixtures/c/fdholder.c, compiled here with gcc): fds of every kind, pre-forked
 *    listeners, files held open;
 *  - node listeners on tcp/udp, IPv4/IPv6, optionally as another uid.
 * Each prints "ready <pid> <port>"; closing its stdin ends it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const compiled = new Map<string, string>();

/**
 * A C fixture of test/fixtures/c compiled once per run, under a unique name (and so a unique process
 * name, comm): two copies of the suite on one host must not count each other's children in the same
 * user/process group.
 */
export function compileFixture(name: string, prefix: string, flags: string[] = [], libs: string[] = []): string {
  const done = compiled.get(name);
  if (done && fs.existsSync(done)) return done;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lsof-${name}-`));
  fs.chmodSync(dir, 0o755); // other uids (nobody) must be able to run it
  const binary = path.join(dir, `${prefix}${Math.random().toString(36).slice(2, 10)}`);
  execFileSync('gcc', ['-O1', '-Wall', ...flags, '-o', binary, fileURLToPath(new URL(`../fixtures/c/${name}.c`, import.meta.url)), ...libs]);
  compiled.set(name, binary);
  return binary;
}

export function fdholderBinary(): string {
  return compileFixture('fdholder', 'fdh');
}

/**
 * The process name (comm) of a node child started with process.execPath: the executable's name
 * ("node") on Node 20; newer lines name their main thread, and so the process: "MainThread" on
 * 24.22.3, "node-MainThread" on 26.12.1. The exporter reports what the kernel says, as lsof and ss
 * do, so tests ask a real child.
 */
export const NODE_COMM = execFileSync(process.execPath, ['-e', 'process.stdout.write(require("fs").readFileSync("/proc/self/comm", "utf8").trim())'], { encoding: 'utf8' });

/** The process name (comm) the fdholder children run under. */
export function fdholderComm(): string {
  return path.basename(fdholderBinary()).slice(0, 15);
}

export interface HeldChild {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Everything the child printed up to its ready line. */
  output: string;
  stop: () => Promise<void>;
}

/**
 * A python3 child that runs `setup` (which must keep what it holds referenced), then waits for stdin.
 * Debian's /usr/bin/python3 (scripts/install-system-deps): one under root's home (pyenv) is not
 * runnable by another uid. `detached` puts it in a process group of its own.
 */
export function startPython(setup: string, opts: { uid?: number; gid?: number; detached?: boolean } = {}): Promise<HeldChild> {
  const code = `import os, sys\n${setup}\nprint('ready', os.getpid(), 0, flush=True)\nsys.stdin.read()\n`;
  const ids = opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {};
  const child = spawn('/usr/bin/python3', ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'], detached: opts.detached ?? false, ...ids });
  return started(child, 'python3 holder');
}

export function started(child: ChildProcess, what: string): Promise<HeldChild> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`${what} exited ${code} before ready: ${err}`)));
    // A spawn that fails (EACCES: a uid that may not run this node) emits no 'exit'.
    child.once('error', (e) => reject(new Error(`${what} could not start: ${e.message}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      // The whole line: the fields after the port (a test's own) must be in `output` too, and a pipe
      // may deliver a line in more than one read.
      const m = /ready (\d+) (\d+)[^\n]*\n/.exec(out);
      if (m) resolve({ child, pid: Number(m[1]), port: Number(m[2]), output: out, stop: () => stopHeld(child) });
    });
  });
}

export function stopHeld(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.stdin?.end();
  });
}

/** `binary`: a copy of fdholderBinary() under another name (its comm) or path. */
export function startFdHolder(args: string[], { binary, ...opts }: { uid?: number; gid?: number; binary?: string } = {}): Promise<HeldChild> {
  const child = spawn(binary ?? fdholderBinary(), args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  return started(child, `fdholder ${args.join(' ')}`);
}

export interface ListenerSpec {
  protocol: 'tcp' | 'udp';
  host: string;
  uid?: number;
  gid?: number;
}

/** A node process listening on an ephemeral port; exits when its stdin closes. */
export function startNodeListener(spec: ListenerSpec): Promise<HeldChild> {
  const script =
    spec.protocol === 'tcp'
      ? `const s=require('net').createServer();s.listen(0,${JSON.stringify(spec.host)},()=>console.log('ready',process.pid,s.address().port));`
      : `const s=require('dgram').createSocket(${JSON.stringify(spec.host.includes(':') ? 'udp6' : 'udp4')});s.bind(0,${JSON.stringify(spec.host)},()=>console.log('ready',process.pid,s.address().port));`;
  const child = spawn(process.execPath, ['-e', `${script}process.stdin.on('end',()=>process.exit(0));process.stdin.resume();`], {
    stdio: ['pipe', 'pipe', 'pipe'],
    uid: spec.uid,
    gid: spec.gid,
  });
  return started(child, `node ${spec.protocol} listener`);
}
