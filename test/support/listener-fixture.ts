/**
 * The listeners fixture (test/fixtures/c/listeners.c): every shape of listening socket beside
 * established connections and sockets that must not count, in our namespace or in one of the test's
 * own (unshare --net). Also the references the sock_diag tests compare with: the full text tables,
 * `ss`, and the socket inodes a process holds.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IP_SOCKET_TABLES, isListening, parseNetIpSockets, type IpSocket } from '../../src/procfs/net-ip-socket.js';
import { started, type HeldChild } from './children.js';
import { startInNamespace, type NamespacedChild } from './netns-children.js';

const SOURCE = fileURLToPath(new URL('../fixtures/c/listeners.c', import.meta.url));
let binary: string | undefined;

function listenersBinary(): string {
  if (binary && fs.existsSync(binary)) return binary;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-listeners-'));
  binary = path.join(dir, 'listeners');
  execFileSync('gcc', ['-O1', '-Wall', '-o', binary, SOURCE]);
  return binary;
}

/** For afterAll of the file that started fixtures: the compiled binary's folder goes. */
export function removeListenersBinary(): void {
  if (binary) fs.rmSync(path.dirname(binary), { recursive: true, force: true });
  binary = undefined;
}

/** "tcp ipv6 ::1 8080": a listener as the fixture prints it. */
export type ListenerKey = string;

export interface ListenersChild extends HeldChild {
  /** What the fixture says it listens on, sorted (REUSEPORT pairs appear twice). */
  expected: ListenerKey[];
}

function withExpected(held: HeldChild): ListenersChild {
  const expected = [...held.output.matchAll(/^L (\S+ \S+ \S+ \d+)$/gm)].map((m) => m[1]!).sort();
  return { ...held, expected };
}

export async function startListeners(pairs: number): Promise<ListenersChild> {
  const child = spawn(listenersBinary(), [String(pairs), '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return withExpected(await started(child, 'listeners fixture'));
}

/** In a fresh network namespace, wildcards included (nothing outside it can reach them). */
export async function startListenersInNamespace(pairs: number): Promise<ListenersChild & NamespacedChild> {
  const held = await startInNamespace([listenersBinary(), String(pairs), '1']);
  return { ...held, ...withExpected(held) };
}

export function keyOf(s: Pick<IpSocket, 'protocol' | 'family' | 'localAddress' | 'localPort'>): ListenerKey {
  return `${s.protocol} ${s.family} ${s.localAddress} ${s.localPort}`;
}

/** The inodes of every socket `pid` holds. */
export function socketInodes(pid: number): Set<number> {
  const out = new Set<number>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
    if (m) out.add(Number(m[1]));
  }
  return out;
}

/** The reference: every line of /proc/PID/net/{tcp,tcp6,udp,udp6}, parsed, kept when listening. */
export function textTableListeners(pid: number | 'self'): IpSocket[] {
  return IP_SOCKET_TABLES.flatMap((t) => parseNetIpSockets(fs.readFileSync(`/proc/${pid}/net/${t.file}`, 'latin1'), t.protocol, t.family)).filter(isListening);
}

export interface SsSocket {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  inode: number;
  pids: number[];
}

/** `ss -H -ltnupe` (listening TCP, unconnected UDP), in the network namespace of `netnsPid` if given. */
export function ssListeners(netnsPid?: number): SsSocket[] {
  const ss = ['ss', '-H', '-ltnupe'];
  const argv = netnsPid === undefined ? ss : ['nsenter', '-t', String(netnsPid), '-n', ...ss];
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '').map(parseSsLine);
}

function parseSsLine(line: string): SsSocket {
  const f = line.trim().split(/\s+/);
  const local = f[4]!;
  const colon = local.lastIndexOf(':');
  // ss writes "[::1]" for IPv6 and "*" for a dual-stack wildcard.
  const host = local.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return {
    protocol: f[0] as 'tcp' | 'udp',
    address: host === '*' ? '::' : host,
    port: Number(local.slice(colon + 1)),
    inode: Number(/\bino:(\d+)/.exec(line)?.[1]),
    pids: [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])),
  };
}
