/**
 * Cost grows with network namespaces, not with processes: on the real /proc, with one namespace this
 * test fills with many processes, each namespace's socket tables are read exactly once per scan,
 * through one member. Counted by a ProcReader that records every table it reads, not by timing.
 * Also: the host namespace is found when PID 1's ns link may not be read (a hardened init).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcFs } from '../../src/procfs/proc.js';
import { ProcReader } from '../../src/procfs/reader.js';
import { Scanner } from '../../src/scan/scanner.js';
import { hostNetns } from '../../src/scan/host-netns.js';
import { startInNamespace, netnsOfPid, type NamespacedChild } from '../support/netns-children.js';
import { procfsOver } from '../support/procfs.js';

const NO_CACHE = { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: true };

const MEMBERS = 30;
const TABLE = /\/(\d+)\/net\/(tcp6?|udp6?|unix)$/;

/** Records each socket table read that succeeded (IP tables here, net/unix through procfsOver's hook). */
class TableCountingReader extends ProcReader {
  readonly tableReads: { pid: number; table: string }[] = [];
  override readText(file: string): string {
    const text = super.readText(file);
    this.record(file);
    return text;
  }
  record(file: string): void {
    const m = TABLE.exec(file);
    if (m) this.tableReads.push({ pid: Number(m[1]), table: m[2]! });
  }
}

/** Refuses PID 1's ns/net link as a hardened init does, even to root. */
class Pid1HidingReader extends ProcReader {
  override readLinkRaw(file: string): string {
    if (file === this.procPath(1, 'ns', 'net')) throw Object.assign(new Error(`EACCES: ${file}`), { code: 'EACCES' });
    return super.readLinkRaw(file);
  }
}

/** Refuses every ns link, as to an exporter without CAP_SYS_PTRACE looking at other users' processes. */
class AllNsLinksHidingReader extends ProcReader {
  override readLinkRaw(file: string): string {
    if (file.endsWith('/ns/net')) throw Object.assign(new Error(`EACCES: ${file}`), { code: 'EACCES' });
    return super.readLinkRaw(file);
  }
}

let crowd: NamespacedChild;

beforeAll(async () => {
  // One namespace, MEMBERS sleepers plus their shell, all sharing one set of socket tables.
  const script = `for i in $(seq ${MEMBERS}); do sleep 600 & p="$p $!"; done; echo ready $$ 0; cat >/dev/null; kill $p`;
  crowd = await startInNamespace(['sh', '-c', script]);
});

afterAll(async () => {
  await crowd?.stop();
  // Belt and braces: no sleeper of ours outlives the suite, even if the shell was killed first.
  for (const pid of crowd ? pidsInNetns(crowd.netns) : []) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited on its own meanwhile
    }
  }
});

function pidsInNetns(netns: string): number[] {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => {
    try {
      return netnsOfPid(pid) === netns;
    } catch {
      return false;
    }
  });
}

describe('socket table reads', () => {
  // The TypeScript path classifies unix sockets by the table; the native path asks each socket when
  // that is cheaper (a few here), so it reads no unix table at all, and asks sock_diag for the
  // exporter's own (here the host's) namespace instead of reading its text tables.
  it.each([false, true])('reads each namespace\'s tables once per scan, however many processes live in it (native: %s)', (native) => {
    const reader = new TableCountingReader('/proc', '/');
    const snapshot = new Scanner(procfsOver(reader, { native, afterUnixTable: (file) => reader.record(file) }), NO_CACHE).scan();
    const netnsOf = new Map(snapshot.processes.map((p) => [p.pid, p.netns]));
    const namespaces = new Set(snapshot.processes.map((p) => p.netns));
    const crowdMembers = snapshot.processes.filter((p) => p.netns === crowd.netns).length;

    expect(crowdMembers).toBeGreaterThanOrEqual(MEMBERS + 1);
    expect(snapshot.stats.netnsCount).toBe(namespaces.size);
    // Each table of each namespace once, and not one more: tcp, tcp6, udp, udp6 always; unix at most
    // once, only where a descriptor holds a socket not yet classified: the host namespace (this
    // test's own IPC socket) on the TypeScript path, none on the native path.
    const readsPerNamespace = new Map<string, string[]>();
    for (const r of reader.tableReads) {
      const ns = netnsOf.get(r.pid)!;
      readsPerNamespace.set(ns, [...(readsPerNamespace.get(ns) ?? []), r.table]);
    }
    const host = netnsOf.get(process.pid)!;
    expect([...readsPerNamespace.keys()].sort()).toEqual([...namespaces].filter((ns) => !(native && ns === host)).sort());
    const IP_TABLES = ['tcp', 'tcp6', 'udp', 'udp6'];
    for (const [ns, tables] of readsPerNamespace) {
      const unix = !native && ns === host ? ['unix'] : tables.includes('unix') ? ['unix'] : [];
      expect(`${ns}: ${tables.sort().join(',')}`).toBe(`${ns}: ${[...IP_TABLES, ...unix].join(',')}`);
    }
    if (native) expect(reader.tableReads.filter((r) => r.table === 'unix')).toEqual([]);
    expect(reader.tableReads.length).toBeLessThan(snapshot.processes.length);
  });

  it('finds the host namespace through PID 1\'s socket tables when its ns link is refused', () => {
    const sameTables = (a: string, b: string) => fs.statSync(`/proc/${a}/net/tcp`).ino === fs.statSync(`/proc/${b}/net/tcp`).ino;
    // This suite runs in the host's network namespace (that of PID 1).
    expect(sameTables('1', 'self')).toBe(true);
    const ours = netnsOfPid(process.pid);
    expect(hostNetns(new ProcFs(new Pid1HidingReader('/proc')))).toBe(ours);
    expect(hostNetns(ProcFs.at('/proc'))).toBe(ours);
    expect(ours).not.toBe(crowd.netns);
  });

  it('with no ns link readable at all, names namespaces by their tables, the same way for the host as for the scan', () => {
    const reader = new ProcFs(new AllNsLinksHidingReader('/proc'));
    const tablesOf = (pid: number | string) => `?${fs.statSync(`/proc/${pid}/net/tcp`).ino}`;
    expect(hostNetns(reader)).toBe(tablesOf(1));
    const snapshot = new Scanner(reader, NO_CACHE).scan();
    const netnsOf = new Map(snapshot.processes.map((p) => [p.pid, p.netns]));
    expect(netnsOf.get(process.pid)).toBe(tablesOf(1));
    expect(netnsOf.get(crowd.pid)).toBe(tablesOf(crowd.pid));
    expect(tablesOf(crowd.pid)).not.toBe(tablesOf(1));
    // Still one read of each table per namespace.
    expect(snapshot.stats.netnsCount).toBe(new Set(netnsOf.values()).size);
  });
});
