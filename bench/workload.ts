/**
 * The synthetic host load: P workload processes (bench/c/workload.c) x F descriptors, a share
 * listening on loopback tcp/udp v4/v6 with established pairs, a share running as nobody, each with one
 * deleted-but-open file of known size. Every process dies with its stdin (and with the bench: they
 * carry PR_SET_PDEATHSIG), and stopAll() is also wired to exit and signals.
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
  addListener(p: WorkloadProcess, sameCount = false): Promise<number> {
    return new Promise((resolve) => {
      const onLine = (line: string) => {
        const m = /^listen (\d+)$/.exec(line);
        if (!m) return;
        p.lines.off('line', onLine);
        const port = Number(m[1]);
        p.listeners.push({ protocol: 'tcp', family: 'ipv4', port, pid: p.pid });
        resolve(port);
      };
      p.lines.on('line', onLine);
      p.child.stdin?.write(sameCount ? 'R\n' : 'L\n');
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((s) => this.stop(s)));
    process.off('exit', this.cleanup);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private killAll(): void {
    for (const p of this.live) p.child.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private start(slot: number): Promise<void> {
    const { fdsPerProcess, listenEvery, nobodyEvery } = this.options;
    const listens = slot % listenEvery === 0;
    const uid = slot % nobodyEvery === 1 ? NOBODY_UID : -1;
    const child = spawn(this.binary, [String(fdsPerProcess), this.dir, listens ? '1' : '0', String(uid)], {
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
