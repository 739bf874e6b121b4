/**
 * One pass over the procfs -> an immutable ScanContext. Orchestration only: each phase is a module
 * of its own, and the phases are timed separately:
 *   processes     stat, status, exe, limits, netns of every pid (process-reader.ts)
 *   descriptors   fd tables, cached (descriptors.ts, process-cache.ts)
 *   sockets       the TCP/UDP tables of every network namespace (socket-index.ts), joined to the
 *                 descriptors by inode (joins.ts), holderless listeners searched for (holder-search.ts)
 *   unix_sockets  which other sockets are unix sockets (unix-sockets.ts)
 *   deleted_files stat of " (deleted)" candidates, deduplicated by device+inode (deleted-files.ts)
 *   memfds        stat of the memfd descriptors: the memory they pin (memfds.ts)
 * and, with --watch.path, the holders of the watched paths (watched-paths.ts, timed with descriptors).
 *   exe_placement cwd, world-writable directories above the executable, system program names
 *                 (exe-placement.ts)
 * One process never fails the scan (it is skipped, counted by reason), and a phase that throws
 * costs its own facts only: the scan goes on without them and counts the error.
 */
import type { ProcFs } from '../procfs/proc.js';
import type { DeletedFileRecord, ListenerRecord, MemfdRecord, ProcessRecord, ScanContext } from './context.js';
import { collectConnections } from './connections.js';
import { collectDeletedFiles } from './deleted-files.js';
import { collectExePlacement } from './exe-placement.js';
import { collectMemfds } from './memfds.js';
import { readAllDescriptors, type LiveProcess } from './descriptors.js';
import { resolveHiddenNetns } from './hidden-netns.js';
import { HolderSearch } from './holder-search.js';
import { hostNetns } from './host-netns.js';
import { findListeners, namespaceMembers, typeSockets } from './joins.js';
import { ProcessCache, type CachePolicy } from './process-cache.js';
import { readProcfsVisibility } from './procfs-mounts.js';
import { readProcess, skipReasonOf, type ProcessReaderDeps } from './process-reader.js';
import { ScanStatsBuilder } from './scan-stats.js';
import { buildSocketIndex, type SocketIndex } from './socket-index.js';
import { UnixSocketClassifier } from './unix-sockets.js';
import { UserNames } from './user-names.js';
import { descriptorTables } from './tasks.js';
import { collectWatchedPaths } from './watched-paths.js';
import { collectOpenPathIndex } from './open-path-index.js';

export interface ScannerOptions extends CachePolicy {
  /** Read /proc/PID/cgroup for container labels. */
  containers: boolean;
  /** Stat the " (deleted)" candidates (off when no enabled signal uses deleted files). */
  deletedFiles: boolean;
  /** Read cwd and look up where executables live (default on; off when no enabled signal uses it). */
  exePlacement?: boolean;
  /** Stat the memfd descriptors (default on; off when no enabled signal uses them). */
  memfds?: boolean;
  /**
   * Compare each multi-threaded process's threads with it (tasks.ts; default on). Only the bench turns
   * it off, to tell the walk's own cost from what the kernel charges for reading a multi-threaded
   * process's /proc files, which any reader pays (bench/variant-cost.ts).
   */
  threadWalk?: boolean;
}

export const DEFAULT_SCANNER_OPTIONS: ScannerOptions = { fdMaxAgeMs: 300_000, limitMaxAgeMs: 60_000, containers: true, deletedFiles: true, exePlacement: true };

export class Scanner {
  private readonly cache: ProcessCache;
  private readonly users: UserNames;
  private readonly deps: ProcessReaderDeps;
  private readonly unixSockets = new UnixSocketClassifier();
  private readonly holderSearch: HolderSearch;
  /** PID 1's network namespace, found once: its listeners are reported with netns="". */
  readonly hostNetns: string;
  private scanNo = 0;

  /** @param now the clock cache ages are measured on (the bench simulates a scan interval with it). */
  constructor(
    private readonly procfs: ProcFs,
    private readonly options: ScannerOptions = DEFAULT_SCANNER_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new ProcessCache(options);
    this.users = new UserNames(procfs);
    this.deps = { cache: this.cache, users: this.users, containers: options.containers };
    this.holderSearch = new HolderSearch(this.cache);
    this.hostNetns = hostNetns(procfs);
  }

  scan(): ScanContext {
    const scanNo = ++this.scanNo;
    const startedAtMs = this.now();
    const stats = new ScanStatsBuilder(this.procfs.fdTables.native);
    this.refreshUsers(stats);
    const procfsVisibility = stats.phase('processes', () => readProcfsVisibility(this.procfs));
    const listed = this.procfs.listPids();
    const live = stats.phase('processes', () => this.readProcesses(listed, scanNo, stats));
    stats.phase('processes', () => resolveHiddenNetns(this.procfs, live.map((p) => p.record)));
    stats.phase('descriptors', () => readAllDescriptors(live, this.cache, stats, this.now(), this.options.threadWalk !== false));
    const { index, listeners } = this.readSockets(live, listed, scanNo, stats);
    stats.phase('unix_sockets', () => this.classifyUnixSockets(live, index, stats));
    const connections = stats.phase('sockets', () => collectConnections(live, index));
    const deletedFiles = this.options.deletedFiles ? stats.phase('deleted_files', () => this.readDeletedFiles(live, stats)) : null;
    const memfds = this.options.memfds !== false ? stats.phase('memfds', () => this.readMemfds(live, stats)) : null;
    const watches = this.procfs.watches;
    const watchedPaths = watches.paths.length > 0 ? stats.phase('descriptors', () => collectWatchedPaths(live, watches)) : undefined;
    if (this.options.exePlacement !== false) stats.phase('exe_placement', () => this.readExePlacement(live, stats));
    const openPathIndex = this.procfs.fdTables.indexesPaths ? collectOpenPathIndex(live, startedAtMs) : undefined;
    this.cache.sweep(scanNo);
    const processes = live.map((p) => Object.freeze(p.record));
    stats.s.processesScanned = processes.length;
    stats.s.fdsScanned = processes.reduce((n, p) => n + (p.fdCount ?? 0), 0);
    return Object.freeze({ processes, listeners, heldListeners: [], connections, deletedFiles, memfds, procfsVisibility, hostNetns: this.hostNetns, stats: stats.finish(), ...(watchedPaths && { watchedPaths }), ...(openPathIndex && { openPathIndex }) });
  }

  /**
   * One process's record between scans (a holder the listener attribution found that the last scan
   * did not have); null when it is skipped (exited, a kernel thread). Its descriptors are not counted.
   */
  readProcessRecord(pid: number): ProcessRecord | null {
    try {
      return Object.freeze(readProcess(this.procfs.proc(pid), this.deps, this.scanNo, this.now()).record);
    } catch {
      return null;
    }
  }

  private refreshUsers(stats: ScanStatsBuilder): void {
    this.users.refresh();
    if (this.users.lastError) stats.error('passwd');
    stats.error('passwd_lines', this.users.rejectedLines);
  }

  private readProcesses(pids: number[], scanNo: number, stats: ScanStatsBuilder): LiveProcess[] {
    const live: LiveProcess[] = [];
    const nowMs = this.now();
    for (const pid of pids) {
      const proc = this.procfs.proc(pid);
      try {
        live.push(readProcess(proc, this.deps, scanNo, nowMs));
      } catch (err) {
        stats.skip(skipReasonOf(err));
      }
    }
    return live;
  }

  /** The socket tables, who holds each listener, and the search for the holders of the rest. */
  private readSockets(live: LiveProcess[], listed: number[], scanNo: number, stats: ScanStatsBuilder): { index: SocketIndex; listeners: ListenerRecord[] } {
    const namespaces = namespaceMembers(live);
    const index = stats.phase('sockets', () => buildSocketIndex(this.procfs, namespaces));
    stats.s.netnsCount = namespaces.size;
    let listeners = stats.phase('sockets', () => findListeners(live, index));
    const search = {
      live,
      listed,
      listeners,
      stats,
      nowMs: this.now(),
      listPids: () => this.procfs.listPids(),
      readNewcomers: (pids: number[]) => {
        const added = this.readProcesses(pids, scanNo, stats);
        resolveHiddenNetns(this.procfs, [...live, ...added].map((p) => p.record));
        readAllDescriptors(added, this.cache, stats, this.now());
        return added;
      },
    };
    if (stats.phase('descriptors', () => this.holderSearch.run(search))) listeners = stats.phase('sockets', () => findListeners(live, index));
    return { index, listeners };
  }

  private classifyUnixSockets(live: LiveProcess[], index: SocketIndex, stats: ScanStatsBuilder): void {
    const fresh = live.filter((p) => p.fdTable && !p.fromCache).map((p) => ({ pid: p.record.pid, netns: p.record.netns, table: p.fdTable! }));
    for (const p of live) for (const t of p.tasks ?? []) if (t.table) fresh.push({ pid: p.record.pid, netns: t.netns ?? p.record.netns, table: t.table });
    const isIp = (inode: number) => index.byInode.has(inode);
    index.errors += this.unixSockets.classify(this.procfs, fresh, isIp, namespaceMembers(live), index.secondsByNetns);
    typeSockets(live, index);
    stats.error('socket_tables', index.errors);
    stats.s.socketTableSeconds = index.secondsByNetns;
  }

  /** A failure here costs the placement facts only (they stay null: unknown). */
  private readExePlacement(live: LiveProcess[], stats: ScanStatsBuilder): void {
    try {
      stats.error('path_stat', collectExePlacement(live, this.cache, this.now()).errors);
    } catch {
      stats.error('phase');
    }
  }

  /** A failure here costs the memfds only: their families say so. */
  private readMemfds(live: LiveProcess[], stats: ScanStatsBuilder): MemfdRecord[] | null {
    try {
      const result = collectMemfds(live.flatMap(descriptorTables));
      stats.error('memfd_stat', result.statErrors);
      stats.s.memfdsDropped = result.dropped;
      return result.memfds;
    } catch {
      stats.error('phase');
      return null;
    }
  }

  /** A failure here costs the deleted files only: the families that need them say so. */
  private readDeletedFiles(live: LiveProcess[], stats: ScanStatsBuilder): DeletedFileRecord[] | null {
    try {
      const result = collectDeletedFiles(live.flatMap(descriptorTables));
      stats.error('deleted_stat', result.statErrors);
      stats.s.deletedCandidatesDropped = result.droppedCandidates;
      return result.files;
    } catch {
      stats.error('phase');
      return null;
    }
  }
}
