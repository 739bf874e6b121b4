/**
 * What one listener poll costs with N established TCP sockets present, side by side with its floors
 * (bench/c/sockdiag.c), in one run, as ratios to the sock_diag floor:
 *  - on a busy host: N connections in our own network namespace, read through sock_diag, through
 *    the text fallback, and whole (what a poll of the full tables costs); and an idle namespace on
 *    that host, which is read through the text fallback;
 *  - in a busy container: the same N connections inside one network namespace of their own, which
 *    the exporter can only read through its text tables.
 * CPU is this process's (getrusage via process.cpuUsage) over a loop of at least 1 s, per poll.
 */
import fs from 'node:fs';
import { EstablishedLoad } from './workload.js';
import { runPollFloor, type Binaries } from './tools.js';
import { exporterIdleCpu } from './exporter-bench.js';
import { ListenerSource } from '../src/procfs/listener-source.js';
import { IP_SOCKET_TABLES, isListening, parseNetIpSockets } from '../src/procfs/net-ip-socket.js';
import { ProcReader } from '../src/procfs/reader.js';
import { loadNative, type NativeProcfs } from '../src/procfs/native.js';
import { readSockDiagTables } from '../src/procfs/sock-diag.js';

function addon(): NativeProcfs {
  const n = loadNative().native;
  if (!n) throw new Error('listener poll bench: the native addon is not built');
  return n;
}

export interface PollRow {
  name: string;
  what: string;
  cpuSecondsPerPoll: number;
}

export interface PollPhase {
  title: string;
  rows: PollRow[];
  /** Listener inodes of the established load that a read missed ("" when every read found all). */
  missing: string[];
}

export interface ListenerPollResult {
  established: number;
  phases: PollPhase[];
  /** The exporter as run (default flags) on the busy host, no churn: share of one core, if measured. */
  exporter?: { coreShare: number; seconds: number };
}

/** Issue 16: the exporter at default flags with 100k established sockets and no churn. */
export const EXPORTER_TARGET_CORE_SHARE = 0.05;

/** A poll's budget at the 250 ms interval: 1% of a core. */
export const POLL_TARGET_CPU_SECONDS = 0.0025;

/** CPU seconds per call of `fn`, over at least minSeconds and 3 calls. */
function cpuPerCall(fn: () => unknown, minSeconds: number): number {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let calls = 0;
  while (calls < 3 || performance.now() - t0 < minSeconds * 1000) {
    fn();
    calls++;
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6 / calls;
}

/** Today's poll: every line of the four tables read and parsed, the listening ones kept. */
function wholeTables(reader: ProcReader, pid: number): number[] {
  return IP_SOCKET_TABLES.flatMap((t) => parseNetIpSockets(reader.readText(reader.procPath(pid, 'net', t.file)), t.protocol, t.family))
    .filter(isListening)
    .map((s) => s.inode);
}

function pollInodes(source: ListenerSource, pid: number): number[] {
  return source.poll(new Map([[String(pid), [pid]]])).listening.map((l) => l.socket.inode);
}

const textSource = () => new ListenerSource(new ProcReader('/proc', '/'), { fallbackCpuShare: 1, native: false });

/**
 * The text fallback of `pid`'s namespace, as a poll finds it: counts moved (a fresh source reads
 * every table with sockets) or not (only sockstat is read).
 */
function fallbackRows(name: string, where: string, pid: number, minSeconds: number): PollRow[] {
  const steady = textSource();
  pollInodes(steady, pid);
  return [
    { name: `${name}_changed`, what: `text fallback, ${where}, counts moved: tables up to the listeners' end`, cpuSecondsPerPoll: cpuPerCall(() => pollInodes(textSource(), pid), minSeconds) },
    { name: `${name}_unchanged`, what: `text fallback, ${where}, counts unchanged: sockstat only`, cpuSecondsPerPoll: cpuPerCall(() => pollInodes(steady, pid), minSeconds) },
  ];
}

/** The listening socket each established-load process holds (one per 20k connections). */
function loadListeners(load: EstablishedLoad): number[] {
  const reader = new ProcReader('/proc');
  return load.pids.flatMap((pid) => {
    const held = socketInodes(pid);
    return wholeTables(reader, pid).filter((inode) => held.has(inode));
  });
}

function socketInodes(pid: number): Set<number> {
  const out = new Set<number>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
    if (m) out.add(Number(m[1]));
  }
  return out;
}

function missingFrom(name: string, found: number[], want: number[]): string[] {
  const got = new Set(found);
  return want.filter((i) => !got.has(i)).map((i) => `${name} missed listener inode ${i}`);
}

function busyHost(bin: Binaries, load: EstablishedLoad, idle: EstablishedLoad, minSeconds: number): PollPhase {
  const self = process.pid;
  const idlePid = idle.pids[0]!;
  const diag = new ListenerSource(new ProcReader('/proc'), { fallbackCpuShare: 1 });
  const whole = new ProcReader('/proc');
  if (!diag.poll(new Map([['own', [self]]])).read.every((r) => r.source === 'sock_diag')) throw new Error('listener poll bench: the native addon (sock_diag) is not built');
  const floor = runPollFloor(bin, ['diag'], minSeconds);
  const rows: PollRow[] = [
    { name: 'sock_diag_floor_c', what: 'C: sock_diag dumps, TCP LISTEN + unconnected UDP, v4 + v6', cpuSecondsPerPoll: floor.cpuSecondsPerRound },
    { name: 'proc_tcp_c', what: 'C: /proc/net/tcp + tcp6 read whole', cpuSecondsPerPoll: runPollFloor(bin, ['read', '/proc/net', 'tcp', 'tcp6'], minSeconds).cpuSecondsPerRound },
    { name: 'proc_all_c', what: 'C: /proc/net/tcp, tcp6, udp, udp6 read whole', cpuSecondsPerPoll: runPollFloor(bin, ['read', '/proc/net', 'tcp', 'tcp6', 'udp', 'udp6'], minSeconds).cpuSecondsPerRound },
    { name: 'poll_sock_diag', what: 'ListenerSource, own netns: sock_diag (the addon)', cpuSecondsPerPoll: cpuPerCall(() => pollInodes(diag, self), minSeconds) },
    { name: 'whole_tables_ts', what: 'the four tables read and parsed whole (the poll before sock_diag)', cpuSecondsPerPoll: cpuPerCall(() => wholeTables(whole, self), minSeconds) },
    { name: 'scan_tables_sock_diag', what: "a full scan's socket tables, every state, through sock_diag (what a scan reads of its own netns)", cpuSecondsPerPoll: cpuPerCall(() => readSockDiagTables(addon()), minSeconds) },
    ...fallbackRows('own_netns', 'own netns without the addon', self, minSeconds),
    ...fallbackRows('idle_netns', 'an idle namespace (one listener) on this host', idlePid, minSeconds),
  ];
  const want = loadListeners(load);
  const floorInodes = floor.sockets.map((s) => Number(s.split(' ')[3]));
  const missing = [
    ...missingFrom('sock_diag_floor_c', floorInodes, want),
    ...missingFrom('poll_sock_diag', pollInodes(diag, self), want),
    ...missingFrom('own_netns text fallback', pollInodes(textSource(), self), want),
    ...missingFrom('idle_netns text fallback', pollInodes(textSource(), idlePid), loadListeners(idle)),
  ];
  return { title: 'busy host: the established sockets in our own network namespace', rows, missing };
}

function busyContainer(bin: Binaries, load: EstablishedLoad, minSeconds: number): PollPhase {
  const pid = load.pids[0]!;
  const whole = new ProcReader('/proc');
  const rows: PollRow[] = [
    { name: 'sock_diag_floor_c', what: 'C: sock_diag dumps of our own (now idle) namespace', cpuSecondsPerPoll: runPollFloor(bin, ['diag'], minSeconds).cpuSecondsPerRound },
    { name: 'netns_proc_tcp_c', what: 'C: its /proc/PID/net/tcp + tcp6 read whole', cpuSecondsPerPoll: runPollFloor(bin, ['read', `/proc/${pid}/net`, 'tcp', 'tcp6'], minSeconds).cpuSecondsPerRound },
    { name: 'netns_whole_tables_ts', what: 'its four tables read and parsed whole', cpuSecondsPerPoll: cpuPerCall(() => wholeTables(whole, pid), minSeconds) },
    ...fallbackRows('netns', 'that namespace', pid, minSeconds),
  ];
  const missing = missingFrom('netns text fallback', pollInodes(textSource(), pid), loadListeners(load));
  return { title: 'busy container: the established sockets in one network namespace of their own', rows, missing };
}

/**
 * @param opts.minSeconds how long each read is repeated (the smoke test shortens it)
 * @param opts.exporterSeconds how long the exporter runs at default flags on the busy host (0: not run)
 */
export async function listenerPollBench(
  bin: Binaries,
  established: number,
  log: (s: string) => void,
  opts: { minSeconds?: number; exporterSeconds?: number } = {},
): Promise<ListenerPollResult> {
  const minSeconds = opts.minSeconds ?? 1;
  const phases: PollPhase[] = [];
  let exporter: ListenerPollResult['exporter'];
  log(`listener poll: ${established} established sockets in our network namespace`);
  let load = await EstablishedLoad.start(bin.workload, established);
  const idle = await EstablishedLoad.start(bin.workload, 0, { netns: true });
  try {
    phases.push(busyHost(bin, load, idle, minSeconds));
    if (opts.exporterSeconds) {
      log(`listener poll: the exporter at default flags for ${opts.exporterSeconds} s`);
      exporter = await exporterIdleCpu(opts.exporterSeconds);
    }
  } finally {
    await idle.stop();
    await load.stop();
  }
  log(`listener poll: ${established} established sockets in a network namespace of their own`);
  load = await EstablishedLoad.start(bin.workload, established, { netns: true });
  try {
    phases.push(busyContainer(bin, load, minSeconds));
  } finally {
    await load.stop();
  }
  return { established, phases, exporter };
}

const ms = (s: number) => (s * 1000).toFixed(3);

export function formatListenerPoll(r: ListenerPollResult): string[] {
  const lines = [`## Listener poll with ${r.established} established TCP sockets`];
  for (const p of r.phases) {
    const floor = p.rows.find((x) => x.name === 'sock_diag_floor_c')!.cpuSecondsPerPoll;
    lines.push('', `### ${p.title}`, '| read | what | CPU ms per poll | / sock_diag floor | share of a core at a 250 ms poll |', '|---|---|---|---|---|');
    for (const row of p.rows) {
      lines.push(`| ${row.name} | ${row.what} | ${ms(row.cpuSecondsPerPoll)} | ${(row.cpuSecondsPerPoll / floor).toFixed(1)}x | ${((row.cpuSecondsPerPoll / 0.25) * 100).toFixed(2)}% |`);
    }
    lines.push(p.missing.length ? `cross-check: ${p.missing.join('; ')}` : 'cross-check: every read found the listeners of the established load');
  }
  const e = r.exporter;
  if (e) lines.push('', `exporter at default flags on the busy host, no churn: ${(e.coreShare * 100).toFixed(1)}% of a core over ${e.seconds.toFixed(0)} s`);
  return lines;
}

export function listenerPollVerdicts(r: ListenerPollResult): { line: string; pass: boolean }[] {
  const host = r.phases[0]!;
  const poll = host.rows.find((x) => x.name === 'poll_sock_diag')!.cpuSecondsPerPoll;
  const missing = r.phases.flatMap((p) => p.missing);
  const e = r.exporter;
  const exporterVerdict = e
    ? [{ line: `${e.coreShare <= EXPORTER_TARGET_CORE_SHARE ? 'PASS' : 'FAIL'} exporter CPU at default flags with ${r.established} established sockets <= 5% of a core: ${(e.coreShare * 100).toFixed(1)}%`, pass: e.coreShare <= EXPORTER_TARGET_CORE_SHARE }]
    : [];
  return [
    ...exporterVerdict,
    { line: `${poll <= POLL_TARGET_CPU_SECONDS ? 'PASS' : 'FAIL'} listener read with ${r.established} established sockets <= 1% of a core at a 250 ms poll: ${ms(poll)} ms per poll`, pass: poll <= POLL_TARGET_CPU_SECONDS },
    { line: `${missing.length === 0 ? 'PASS' : 'FAIL'} listener poll cross-check: ${missing.length} listeners missed`, pass: missing.length === 0 },
  ];
}
