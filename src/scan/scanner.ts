/**
 * One pass over the procfs -> an immutable Snapshot. Phases (timed separately):
 *   processes     stat, status, exe, limits, netns of every pid
 *   descriptors   fd tables (cached, see process-cache.ts)
 *   sockets       the TCP/UDP tables of every network namespace, joined to fds by inode
 *   unix_sockets  /proc/net/unix, only when a descriptor holds a socket not yet classified
 *   deleted_files stat of " (deleted)" candidates, deduplicated by device+inode
 * A process that exits, is a zombie or a kernel thread, or whose files are hostile is skipped and
 * counted by reason; one process never fails the scan.
 */
import { emptyFdTypeCounts } from '../procfs/fd-target.js';
import { decodeProcBytes } from '../procfs/proc-text.js';
import { isKernelThread, parseProcStat, type ProcStat } from '../procfs/stat.js';
import { parseProcStatus } from '../procfs/status.js';
import { parseOpenFilesSoftLimit } from '../procfs/limits.js';
import { classifyReadError, type ProcReader } from '../procfs/reader.js';
import { readFdTable, type FdTable } from './fd-table.js';
import { ProcessCache, type CacheEntry, type CachePolicy } from './process-cache.js';
import { buildSocketIndex, type SocketIndex } from './socket-index.js';
import { collectDeletedFiles } from './deleted-files.js';
import { UnixSocketClassifier } from './unix-sockets.js';
import { SOCKET_PROTOCOL } from '../procfs/native.js';
import { UserNames } from './user-names.js';
import { readContainerInfo, NO_CONTAINER } from './container-info.js';
import { resolveHiddenNetns } from './hidden-netns.js';
import {
  SCAN_PHASES,
  SKIP_REASONS,
  type ProcessRecord,
  type ScanPhase,
  type ScanStats,
  type SkipReason,
  type Snapshot,
  type ListenerRecord,
} from './snapshot.js';

export interface ScannerOptions extends CachePolicy {
  /** Read /proc/PID/cgroup for container labels. */
  containers: boolean;
}

export const DEFAULT_SCANNER_OPTIONS: ScannerOptions = { fdMaxAgeMs: 300_000, limitMaxAgeMs: 60_000, containers: true };

/** A process that survived the processes phase, with what the later phases need. */
interface LiveProcess {
  record: ProcessRecord;
  cache: CacheEntry;
  fdTable?: FdTable;
  /** The table came from the cache (not read this scan). */
  fromCache?: boolean;
}

class SkipProcess extends Error {
  constructor(readonly reason: SkipReason) {
    super(reason);
  }
}

export class Scanner {
  private readonly cache: ProcessCache;
  private readonly users: UserNames;
  private readonly unixSockets = new UnixSocketClassifier();
  /** Holderless listening inodes already re-checked: a permanent one (a kernel socket) costs once. */
  private orphansTried = new Set<number>();
  private scanNo = 0;

  /** @param now the clock cache ages are measured on (the bench simulates a scan interval with it). */
  constructor(
    private readonly reader: ProcReader,
    private readonly options: ScannerOptions = DEFAULT_SCANNER_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new ProcessCache(options);
    this.users = new UserNames(reader);
  }

  scan(): Snapshot {
    const scanNo = ++this.scanNo;
    const stats = newStats();
    stats.nativeFastPath = this.reader.native !== undefined;
    const t0 = performance.now();
    const phase = phaseTimer(stats);

    this.users.refresh();
    if (this.users.lastError) stats.errors.passwd = 1;
    if (this.users.rejectedLines) stats.errors.passwd_lines = this.users.rejectedLines;
    const pids = this.reader.listPids();
    stats.processesSeen = pids.length;
    const live = phase('processes', () => this.readProcesses(pids, scanNo, stats));
    phase('processes', () => resolveHiddenNetns(this.reader, live.map((p) => p.record)));
    phase('descriptors', () => this.readDescriptors(live, stats));
    const namespaces = namespaceMembers(live);
    const index = phase('sockets', () => buildSocketIndex(this.reader, namespaces));
    stats.netnsCount = namespaces.size;
    let listeners = phase('sockets', () => findListeners(live, index));
    if (phase('descriptors', () => this.attributeOrphans(live, pids, listeners, scanNo, stats))) listeners = phase('sockets', () => findListeners(live, index));
    phase('unix_sockets', () => {
      const fresh = live.filter((p) => p.fdTable && !p.fromCache).map((p) => ({ pid: p.record.pid, netns: p.record.netns, table: p.fdTable! }));
      index.errors += this.unixSockets.classify(this.reader, fresh, (inode) => index.byInode.has(inode), namespaces, index.secondsByNetns);
      typeSockets(live, index);
    });
    if (index.errors) stats.errors.socket_tables = index.errors;
    stats.socketTableSeconds = index.secondsByNetns;
    const deletedFiles = phase('deleted_files', () =>
      collectDeletedFiles(this.reader, live.map((p) => ({ pid: p.record.pid, table: p.fdTable }))),
    );
    stats.errors.deleted_stat = deletedFiles.statErrors;
    if (!stats.errors.deleted_stat) delete stats.errors.deleted_stat;

    this.cache.sweep(scanNo);
    const processes = live.map((p) => p.record);
    stats.processesScanned = processes.length;
    stats.fdsScanned = processes.reduce((n, p) => n + (p.fdCount ?? 0), 0);
    stats.durationSeconds = (performance.now() - t0) / 1000;
    return { processes, listeners, deletedFiles: deletedFiles.files, stats };
  }

  private readProcesses(pids: number[], scanNo: number, stats: ScanStats): LiveProcess[] {
    const live: LiveProcess[] = [];
    const nowMs = this.now();
    for (const pid of pids) {
      try {
        live.push(this.readProcess(pid, scanNo, nowMs));
      } catch (err) {
        stats.skipped[skipReasonOf(err)]++;
      }
    }
    return live;
  }

  private readProcess(pid: number, scanNo: number, nowMs: number): LiveProcess {
    const stat = this.readStat(pid);
    if (stat.state === 'Z' || stat.state === 'X') throw new SkipProcess('zombie');
    if (isKernelThread(stat)) throw new SkipProcess('kernel_thread');
    const status = parseProcStatus(this.reader.readUtf8(this.reader.procPath(pid, 'status')));
    const cache = this.cache.entry(pid, stat.startTime, scanNo);
    const exe = this.readExe(pid);
    const record: ProcessRecord = {
      pid,
      startTime: stat.startTime,
      ppid: stat.ppid,
      uid: status.realUid,
      euid: status.effectiveUid,
      user: this.users.name(status.effectiveUid),
      comm: decodeProcBytes(Buffer.from(stat.comm, 'latin1')),
      exe: exe.path,
      exeDeleted: exe.deleted,
      fdCount: null,
      fdTypes: emptyFdTypeCounts(),
      fdLimit: this.readLimit(pid, cache, nowMs),
      netns: this.readNetns(pid),
      inspectable: true,
      container: this.options.containers ? this.readContainer(pid) : NO_CONTAINER,
    };
    return { record, cache };
  }

  private readStat(pid: number): ProcStat {
    let text: string;
    try {
      text = this.reader.readText(this.reader.procPath(pid, 'stat'));
    } catch (err) {
      throw new SkipProcess(classifyReadError(err) === 'gone' ? 'exited' : 'unparsable');
    }
    try {
      return parseProcStat(text);
    } catch {
      throw new SkipProcess('unparsable');
    }
  }

  /** exe is unreadable without ptrace access; that is "unknown", not a reason to skip. */
  private readExe(pid: number): { path: string; deleted: boolean } {
    const link = this.reader.procPath(pid, 'exe');
    let raw: string;
    try {
      raw = this.reader.readLinkRaw(link);
    } catch {
      return { path: '', deleted: false };
    }
    const suffixed = raw.endsWith(' (deleted)');
    const path = decodeProcBytes(Buffer.from(suffixed ? raw.slice(0, -10) : raw, 'latin1'));
    if (!suffixed) return { path, deleted: false };
    try {
      return { path, deleted: this.reader.stat(link).nlink === 0n };
    } catch {
      return { path, deleted: false };
    }
  }

  private readLimit(pid: number, cache: CacheEntry, nowMs: number): number | null {
    const cached = this.cache.cachedLimit(cache, nowMs);
    if (cached !== undefined) return cached;
    let limit: number | null = null;
    try {
      limit = parseOpenFilesSoftLimit(this.reader.readText(this.reader.procPath(pid, 'limits')));
    } catch {
      limit = null;
    }
    this.cache.storeLimit(cache, limit, nowMs);
    return limit;
  }

  private readNetns(pid: number): string {
    try {
      const link = this.reader.readLinkRaw(this.reader.procPath(pid, 'ns', 'net'));
      return /^net:\[(\d+)\]$/.exec(link)?.[1] ?? '';
    } catch {
      return '';
    }
  }

  private readContainer(pid: number) {
    try {
      return readContainerInfo(this.reader.readUtf8(this.reader.procPath(pid, 'cgroup')));
    } catch {
      return NO_CONTAINER;
    }
  }

  private readDescriptors(live: LiveProcess[], stats: ScanStats): void {
    const nowMs = this.now();
    for (let i = 0; i < live.length; i++) {
      const p = live[i]!;
      try {
        this.readProcessFds(p, nowMs, stats);
      } catch (err) {
        if (err instanceof SkipProcess) {
          stats.skipped[err.reason]++;
          live.splice(i--, 1);
        } else {
          throw err;
        }
      }
    }
  }

  /**
   * A listening socket no process holds is the headline signal, so its holder is searched for in the
   * same scan, cheapest and likeliest places first, each step only while some socket is still
   * holderless (and each inode once: a permanent orphan, such as a kernel socket, costs once):
   *  1. processes started since the scan listed /proc (on a busy host most orphans are theirs);
   *  2. processes whose table this scan read but whose descriptor count has moved since (a process
   *     listening while it was being read);
   *  3. the cached tables of processes in the socket's namespace running as its uid (where the
   *     owner must be): a process that closed one fd and listened keeps its count, so its cached
   *     table hides the listener.
   * Without steps 1 and 2, a host with steady process churn sent every scan to step 3 and re-read
   * every cached table of the busiest uid, scan after scan.
   * @returns whether any process was added or re-read.
   */
  private attributeOrphans(live: LiveProcess[], listed: number[], listeners: ListenerRecord[], scanNo: number, stats: ScanStats): boolean {
    const holderless = listeners.filter((l) => l.holders.length === 0);
    let orphans = holderless.filter((l) => !this.orphansTried.has(l.inode));
    this.orphansTried = new Set(holderless.map((l) => l.inode));
    if (orphans.length === 0) return false;
    const steps = [() => this.readNewcomers(live, listed, scanNo, stats), () => this.rereadMoved(live, stats), () => this.rereadSuspects(live, orphans, stats)];
    let changed = false;
    for (const step of steps) {
      if (!step()) continue;
      changed = true;
      orphans = stillHolderless(live, orphans);
      if (orphans.length === 0) break;
    }
    return changed;
  }

  /** Step 1: pids listed now but not when the scan began, read like the others. */
  private readNewcomers(live: LiveProcess[], listed: number[], scanNo: number, stats: ScanStats): boolean {
    const seen = new Set(listed);
    const newcomers = this.reader.listPids().filter((pid) => !seen.has(pid));
    if (newcomers.length === 0) return false;
    stats.processesSeen += newcomers.length;
    const added = this.readProcesses(newcomers, scanNo, stats);
    this.readDescriptors(added, stats);
    live.push(...added);
    return added.length > 0;
  }

  /** Step 2: tables read this scan whose process has a different descriptor count now. */
  private rereadMoved(live: LiveProcess[], stats: ScanStats): boolean {
    // Without a kernel count (before 6.2) nothing is known to have moved: step 3 covers those.
    const moved = live.filter((p) => {
      const now = p.fdTable && !p.fromCache ? this.fdCount(p.record.pid) : null;
      return now !== null && now !== p.fdTable!.count;
    });
    return this.reread(moved, stats, false);
  }

  /** Step 3: cached tables in an orphan's namespace, of processes running as its uid. */
  private rereadSuspects(live: LiveProcess[], orphans: ListenerRecord[], stats: ScanStats): boolean {
    const suspects = live.filter(
      (p) => p.fromCache && orphans.some((o) => o.netns === p.record.netns && (o.socketUid === p.record.euid || o.socketUid === p.record.uid)),
    );
    return this.reread(suspects, stats, true);
  }

  private reread(processes: LiveProcess[], stats: ScanStats, wereCached: boolean): boolean {
    const nowMs = this.now();
    for (const p of processes) {
      // A re-read is not another cache lookup: it turns a hit into a miss, or replaces a miss.
      if (wereCached) stats.cacheHits--;
      else stats.cacheMisses--;
      try {
        this.readProcessFds(p, nowMs, stats, true);
      } catch {
        p.fdTable = undefined; // exited since: it holds nothing now
      }
    }
    return processes.length > 0;
  }

  private readProcessFds(p: LiveProcess, nowMs: number, stats: ScanStats, bypassCache = false): void {
    const pid = p.record.pid;
    const count = this.fdCount(pid);
    const cached = bypassCache ? undefined : this.cache.freshFdTable(p.cache, count, nowMs);
    p.fromCache = cached !== undefined;
    if (cached) {
      stats.cacheHits++;
      p.fdTable = cached;
      p.record.fdCount = cached.count;
      return;
    }
    let table: FdTable;
    try {
      table = readFdTable(this.reader, pid);
    } catch (err) {
      const failure = classifyReadError(err);
      if (failure === 'gone') throw new SkipProcess('exited');
      p.record.inspectable = false;
      if (failure === 'denied') stats.uninspectable++;
      else stats.errors.fd_read = (stats.errors.fd_read ?? 0) + 1;
      return;
    }
    if (this.readStat(pid).startTime !== p.record.startTime) throw new SkipProcess('pid_reused');
    stats.cacheMisses++;
    stats.fdLinksRead += table.count;
    this.cache.storeFdTable(p.cache, table, nowMs);
    p.fdTable = table;
    p.record.fdCount = table.count;
  }

  /** The kernel's descriptor count (stat size of /proc/PID/fd on >= 6.2), or null if unknown. */
  private fdCount(pid: number): number | null {
    try {
      const size = this.reader.fdDirSize(pid);
      return size > 0 ? size : null;
    } catch {
      return null;
    }
  }
}

const NO_SOCKETS = new Float64Array(0);

/** The orphans no table of `live` holds. */
function stillHolderless(live: LiveProcess[], orphans: ListenerRecord[]): ListenerRecord[] {
  const open = new Set(orphans.map((o) => o.inode));
  for (const p of live) for (const inode of p.fdTable?.socketInodes ?? NO_SOCKETS) open.delete(inode);
  return orphans.filter((o) => open.has(o.inode));
}

/** Listening TCP/UDP sockets with the pids holding a descriptor on each. */
function findListeners(live: LiveProcess[], index: SocketIndex): ListenerRecord[] {
  const holders = new Map<number, number[]>();
  for (const { socket } of index.listening) holders.set(socket.inode, []);
  for (const p of live) {
    for (const inode of p.fdTable?.socketInodes ?? NO_SOCKETS) {
      const h = holders.get(inode);
      if (h && h[h.length - 1] !== p.record.pid) h.push(p.record.pid);
    }
  }
  return index.listening.map(({ socket, netns }) => ({
    protocol: socket.protocol,
    family: socket.family,
    address: socket.localAddress,
    port: socket.localPort,
    inode: socket.inode,
    netns,
    socketUid: socket.uid,
    holders: holders.get(socket.inode) ?? [],
  }));
}

function typeSockets(live: LiveProcess[], index: SocketIndex): void {
  for (const p of live) {
    const table = p.fdTable;
    if (!table) continue;
    const types = p.record.fdTypes;
    Object.assign(types, table.nonSocket);
    const { socketInodes, socketProtocols } = table;
    for (let i = 0; i < socketInodes.length; i++) {
      const s = index.byInode.get(socketInodes[i]!);
      types[s ? (`socket_${s.kind}` as const) : socketProtocols[i] === SOCKET_PROTOCOL.unix ? 'socket_unix' : 'socket_other']++;
    }
  }
}

/** netns -> member pids, so each namespace's tables are read once. */
function namespaceMembers(live: LiveProcess[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const p of live) {
    const list = m.get(p.record.netns);
    if (list) list.push(p.record.pid);
    else m.set(p.record.netns, [p.record.pid]);
  }
  return m;
}

function skipReasonOf(err: unknown): SkipReason {
  if (err instanceof SkipProcess) return err.reason;
  const failure = classifyReadError(err);
  return failure === 'gone' ? 'exited' : 'unparsable';
}

function newStats(): ScanStats {
  return {
    startedAtMs: Date.now(),
    durationSeconds: 0,
    phaseSeconds: Object.fromEntries(SCAN_PHASES.map((p) => [p, 0])) as Record<ScanPhase, number>,
    socketTableSeconds: {},
    processesSeen: 0,
    processesScanned: 0,
    fdsScanned: 0,
    fdLinksRead: 0,
    cacheHits: 0,
    cacheMisses: 0,
    skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
    uninspectable: 0,
    errors: {},
    netnsCount: 0,
    nativeFastPath: false,
  };
}

function phaseTimer(stats: ScanStats) {
  return <T>(name: ScanPhase, fn: () => T): T => {
    const t = performance.now();
    try {
      return fn();
    } finally {
      stats.phaseSeconds[name] += (performance.now() - t) / 1000;
    }
  };
}
