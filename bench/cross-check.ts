/**
 * A benchmark of a wrong answer is worthless: every tool's findings about the workload are reduced
 * to the same facts (listener holders "protocol/family/port/pid", deleted files "pid/inode/size") and
 * compared with what the workload itself reported.
 */
import type { ScanContext as Snapshot } from '../src/scan/context.js';
import type { Workload } from './workload.js';

export interface Findings {
  listeners: Set<string>;
  deleted: Set<string>;
}

const listenerKey = (protocol: string, family: string, port: number | string, pid: number | string) => `${protocol}/${family}/${port}/${pid}`;
const deletedKey = (pid: number | string, inode: number | string, size: number | string) => `${pid}/${inode}/${size}`;

export function expectedFindings(load: Workload): Findings {
  const f: Findings = { listeners: new Set(), deleted: new Set() };
  for (const p of load.live) {
    for (const l of p.listeners) f.listeners.add(listenerKey(l.protocol, l.family, l.port, l.pid));
    f.deleted.add(deletedKey(p.pid, p.deleted.inode, p.deleted.size));
  }
  return f;
}

export function exporterFindings(snap: Snapshot, pids: Set<number>): Findings {
  const f: Findings = { listeners: new Set(), deleted: new Set() };
  for (const l of snap.listeners) {
    for (const pid of l.holders) if (pids.has(pid)) f.listeners.add(listenerKey(l.protocol, l.family, l.port, pid));
  }
  for (const d of snap.deletedFiles ?? []) {
    for (const h of d.holders) if (pids.has(h.pid)) f.deleted.add(deletedKey(h.pid, d.inode, d.size));
  }
  return f;
}

/** bench/c/floor.c: "L proto family port inode pid" and "D pid fd inode size". */
export function floorFindings(out: string, pids: Set<number>): Findings {
  const f: Findings = { listeners: new Set(), deleted: new Set() };
  for (const line of out.split('\n')) {
    const w = line.split(' ');
    if (w[0] === 'L' && pids.has(Number(w[5]))) f.listeners.add(listenerKey(w[1]!, w[2]!, w[3]!, w[5]!));
    if (w[0] === 'D' && pids.has(Number(w[1]))) f.deleted.add(deletedKey(w[1]!, w[3]!, w[4]!));
  }
  return f;
}

/**
 * `lsof -n -P [-i]` default columns: COMMAND PID [TID TASKCMD] USER FD TYPE DEVICE SIZE/OFF NODE NAME.
 * Columns are located from TYPE (IPv4/IPv6/REG) so the optional task columns do not matter.
 */
export function lsofFindings(out: string, pids: Set<number>): Findings {
  const f: Findings = { listeners: new Set(), deleted: new Set() };
  for (const line of out.split('\n')) {
    const w = line.trim().split(/\s+/);
    const pid = Number(w[1]);
    if (!pids.has(pid)) continue;
    const ip = w.findIndex((x) => x === 'IPv4' || x === 'IPv6');
    if (ip > 0) {
      const proto = w[ip + 3] ?? '';
      const name = w[ip + 4] ?? '';
      const listening = proto === 'TCP' ? w[ip + 5] === '(LISTEN)' : proto === 'UDP' && !name.includes('->');
      const port = name.slice(name.lastIndexOf(':') + 1);
      if (listening) f.listeners.add(listenerKey(proto.toLowerCase(), w[ip] === 'IPv4' ? 'ipv4' : 'ipv6', port, pid));
      continue;
    }
    const reg = w.indexOf('REG');
    if (reg > 0 && line.endsWith('(deleted)')) f.deleted.add(deletedKey(pid, w[reg + 3]!, w[reg + 2]!));
  }
  return f;
}

/** `ss -ltnup`: Netid State Recv-Q Send-Q Local:Port Peer:Port users:(("name",pid=N,fd=M),...) */
export function ssFindings(out: string, pids: Set<number>): Findings {
  const f: Findings = { listeners: new Set(), deleted: new Set() };
  for (const line of out.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w[0] !== 'tcp' && w[0] !== 'udp') continue;
    const local = w[4] ?? '';
    const port = local.slice(local.lastIndexOf(':') + 1);
    const family = local.startsWith('[') ? 'ipv6' : 'ipv4';
    for (const m of line.matchAll(/pid=(\d+)/g)) if (pids.has(Number(m[1]))) f.listeners.add(listenerKey(w[0], family, port, m[1]!));
  }
  return f;
}

/** Differences from the expected findings, as short lines ("" when they agree). */
export function compareFindings(tool: string, got: Findings, want: Findings, opts: { listeners: boolean; deleted: boolean }): string[] {
  const out: string[] = [];
  const diff = (what: string, g: Set<string>, w: Set<string>) => {
    const missing = [...w].filter((k) => !g.has(k));
    const extra = [...g].filter((k) => !w.has(k));
    if (missing.length) out.push(`${tool}: ${missing.length} ${what} missing, e.g. ${missing.slice(0, 3).join(' ')}`);
    if (extra.length) out.push(`${tool}: ${extra.length} unexpected ${what}, e.g. ${extra.slice(0, 3).join(' ')}`);
  };
  if (opts.listeners) diff('listeners', got.listeners, want.listeners);
  if (opts.deleted) diff('deleted files', got.deleted, want.deleted);
  return out;
}
