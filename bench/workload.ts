/**
 * The synthetic host load: P workload processes (bench/c/workload.c) x F descriptors, a share
 * listening on loopback tcp/udp v4/v6 with established pairs, a share running as nobody, each with one
 * deleted-but-open file of known size. Every process dies with its stdin (and with the bench: they
 * carry PR_SET_PDEATHSIG), and stopAll() is also wired to exit and signals.
 * With `established`, also that many established loopback TCP sockets (EstablishedLoad): a busy
 * proxy's or database's connections, which the listener poll must not pay for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const NOBODY_UID = 65534;

export interface WorkloadOptions {
  processes: number;
  fdsPerProcess: number;
  /** Every Nth process listens (4 listeners + 2 established pairs). */
  listenEvery: number;
  /** Every Nth process runs as nobody. */
  nobodyEvery: number;
  /** Established loopback TCP sockets to hold besides (--established=N; 0 or absent: none). */
  established?: number;
  /** Threads per process, the others sleeping and sharing everything (absent: 1). */
  threadsPerProcess?: number;
  /** memfds of 64 KiB per process, part of fdsPerProcess (absent: none). */
  memfdsPerProcess?: number;
  /**
   * Run every process in one fresh network namespace (held by `namespace`), so a scan that lists
   * only the workload sees only its sockets, not those of other work on the machine.
   */
  netns?: boolean;
}

export interface ExpectedListener {
  protocol: 'tcp' | 'udp';
  family: 'ipv4' | 'ipv6';
  port: number;
  pid: number;
}

export interface WorkloadProcess {
  slot: number;
  pid: number;
  uid: number;
  child: ChildProcess;
  listeners: ExpectedListener[];
  deleted: { inode: number; size: number };
  lines: readline.Interface;
}

export class Workload {
  readonly dir: string;
  private procs: (WorkloadProcess | undefined)[] = [];
  private connections: EstablishedLoad | undefined;
  /** With `netns`: the process holding the namespace (one idle listener, no connections). */
  namespace: EstablishedLoad | undefined;
  private readonly cleanup = () => this.killAll();

  constructor(private readonly binary: string, readonly options: WorkloadOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-bench-load-'));
    fs.chmodSync(this.dir, 0o1777);
    fs.writeFileSync(path.join(this.dir, 'held'), 'held open many times\n', { mode: 0o644 });
    process.on('exit', this.cleanup);
  }

  get live(): WorkloadProcess[] {
    return this.procs.filter((p): p is WorkloadProcess => p !== undefined);
  }

  pids(): Set<number> {
    return new Set(this.live.map((p) => p.pid));
  }

  /** Start every slot, a few at a time (each opens up to thousands of fds). */
  async startAll(): Promise<void> {
    if (this.options.established) this.connections = await EstablishedLoad.start(this.binary, this.options.established);
    if (this.options.netns) this.namespace = await EstablishedLoad.start(this.binary, 0, { netns: true });
    const slots = [...Array(this.options.processes).keys()];
    for (let i = 0; i < slots.length; i += 16) await Promise.all(slots.slice(i, i + 16).map((s) => this.start(s)));
  }

  /** Replace `share` of the processes (kill and respawn in the same slots). Returns how many. */
  async churn(share: number): Promise<number> {
    const n = Math.max(1, Math.round(this.options.processes * share));
    const slots = [...this.procs.keys()].sort(() => Math.random() - 0.5).slice(0, n);
    await Promise.all(slots.map(async (s) => {
      await this.stop(s);
      await this.start(s);
    }));
    return n;
  }

  /**
   * Ask a process to listen on one more TCP port; resolves with the port once listen() returned.
   * @param sameCount close one held file first, so the process's descriptor count does not change.
   */
  async addListener(p: WorkloadProcess, sameCount = false): Promise<number> {
    const port = await this.ask(p, sameCount ? 'R' : 'L', /^listen (\d+)$/);
    p.listeners.push({ protocol: 'tcp', family: 'ipv4', port, pid: p.pid });
    return port;
  }

  /**
   * A listener of `p` that lives `lifeMs` (from listen() returning to close()); resolves with its port
   * once it is closed. Not added to p.listeners: the cross-checks never see it.
   */
  async briefListener(p: WorkloadProcess, lifeMs: number, opened: (port: number) => void = () => {}): Promise<number> {
    const port = await this.ask(p, 'B', /^listen (\d+)$/);
    opened(port);
    await new Promise((r) => setTimeout(r, lifeMs));
    await this.ask(p, 'C', /^closed (\d+)$/);
    return port;
  }

  /** Sends a command to a workload process; resolves with the number of the first line matching `reply`. */
  private ask(p: WorkloadProcess, command: string, reply: RegExp): Promise<number> {
    return new Promise((resolve) => {
      const onLine = (line: string) => {
        const m = reply.exec(line);
        if (!m) return;
        p.lines.off('line', onLine);
        resolve(Number(m[1]));
      };
      p.lines.on('line', onLine);
      p.child.stdin?.write(`${command}\n`);
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((s) => this.stop(s)));
    await this.connections?.stop();
    await this.namespace?.stop();
    process.off('exit', this.cleanup);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private killAll(): void {
    for (const p of this.live) p.child.kill('SIGKILL');
    this.connections?.kill();
    this.namespace?.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private start(slot: number): Promise<void> {
    const { fdsPerProcess, listenEvery, nobodyEvery, threadsPerProcess = 1, memfdsPerProcess = 0 } = this.options;
    const listens = slot % listenEvery === 0;
    const uid = slot % nobodyEvery === 1 ? NOBODY_UID : -1;
    const argv = [this.binary, String(fdsPerProcess), this.dir, listens ? '1' : '0', String(uid), String(threadsPerProcess), String(memfdsPerProcess)];
    // nsenter execs the workload: the same pid, still our child (its PR_SET_PDEATHSIG holds).
    const [cmd, ...args] = this.namespace ? ['nsenter', '-t', String(this.namespace.pids[0]), '-n', ...argv] : argv;
    const child = spawn(cmd!, args, {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = readline.createInterface({ input: child.stdout! });
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`workload slot ${slot} exited ${code} before ready`)));
      lines.once('line', (line) => {
        child.removeAllListeners('exit');
        const p = parseReady(line, slot, child, lines, uid < 0 ? 0 : uid);
        if (!p) return reject(new Error(`workload: unexpected "${line}"`));
        this.procs[slot] = p;
        resolve();
      });
    });
  }

  private async stop(slot: number): Promise<void> {
    const p = this.procs[slot];
    if (!p) return;
    this.procs[slot] = undefined;
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGKILL');
    await exited;
  }
}

function parseReady(line: string, slot: number, child: ChildProcess, lines: readline.Interface, uid: number): WorkloadProcess | null {
  const m = /^ready (\d+) tcp4=(\d+) tcp6=(\d+) udp4=(\d+) udp6=(\d+) deleted=(\d+):(\d+)$/.exec(line);
  if (!m) return null;
  const pid = Number(m[1]);
  const ports = m.slice(2, 6).map(Number);
  const kinds = [['tcp', 'ipv4'], ['tcp', 'ipv6'], ['udp', 'ipv4'], ['udp', 'ipv6']] as const;
  const listeners = kinds.flatMap(([protocol, family], i) => (ports[i] ? [{ protocol, family, port: ports[i]!, pid }] : []));
  return { slot, pid, uid, child, lines, listeners, deleted: { inode: Number(m[6]), size: Number(m[7]) } };
}

/**
 * N established loopback TCP sockets (N / 2 connections, both ends held), split over processes
 * (`workload established SOCKETS`) that each stay within the hard RLIMIT_NOFILE; optionally all in
 * one fresh network namespace (a busy container). Killed by pid on stop, on exit, and with the bench
 * (PR_SET_PDEATHSIG); SO_LINGER 0 leaves no TIME_WAIT behind.
 */
export class EstablishedLoad {
  private readonly cleanup = () => this.kill();

  private constructor(private readonly children: ChildProcess[], readonly pids: number[]) {
    process.on('exit', this.cleanup);
  }

  static async start(binary: string, sockets: number, opts: { netns?: boolean } = {}): Promise<EstablishedLoad> {
    const perProcess = 2 * Math.floor((hardFdLimit() - 128) / 2);
    const shares: number[] = [];
    for (let left = sockets; left > 0; left -= perProcess) shares.push(Math.min(perProcess, left));
    if (shares.length === 0) shares.push(0); // one listener and no connections
    const children: ChildProcess[] = [];
    const pids: number[] = [];
    try {
      for (const share of shares) {
        const argv = [binary, 'established', String(share)];
        // The first process makes the namespace, the others join it (nsenter execs: the same pid).
        const child = !opts.netns
          ? spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] })
          : pids.length === 0
            ? spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...argv], { stdio: ['pipe', 'pipe', 'inherit'] })
            : spawn('nsenter', ['-t', String(pids[0]), '-n', ...argv], { stdio: ['pipe', 'pipe', 'inherit'] });
        children.push(child);
        pids.push(await readyPid(child));
      }
    } catch (err) {
      for (const c of children) c.kill('SIGKILL');
      throw err;
    }
    return new EstablishedLoad(children, pids);
  }

  async stop(): Promise<void> {
    process.off('exit', this.cleanup);
    await Promise.all(this.children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => { c.once('exit', r); c.kill('SIGKILL'); }))));
  }

  kill(): void {
    for (const c of this.children) c.kill('SIGKILL');
  }
}

/** The pid a `workload established` child prints in its ready line (unshare execs it: the same pid). */
function readyPid(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`workload established exited ${code} before ready`)));
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      child.removeAllListeners('exit');
      const m = /^ready (\d+) established=\d+ listeners=\d+$/.exec(line);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`workload established: unexpected "${line}"`));
    });
  });
}

/** The hard RLIMIT_NOFILE our children inherit (raising it needs CAP_SYS_RESOURCE). */
function hardFdLimit(): number {
  const line = /^Max open files\s+\S+\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'))?.[1];
  return line === undefined || line === 'unlimited' ? 1 << 20 : Number(line);
}
