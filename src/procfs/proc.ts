/**
 * The procfs as handles (prometheus/procfs `FS` and `Proc`): `ProcFs` for the configured root, and
 * one `Proc` per process with a method per kernel file it reads. Every /proc path is built here,
 * nowhere else; the I/O is ProcReader's and the parsing the sibling modules'. Methods throw the fs
 * error of the read (classify it with classifyReadError); "unknown" answers are null.
 */
import type { BigIntStats } from 'node:fs';
import { CWD_TARGET, EXE_TARGET, ROOT_TARGET, UNGUARDED, type BlockingCalls } from './blocking-calls.js';
import { isUnlinked, splitDeletedSuffix } from './deleted-link.js';
import { createFdTableReader, type FdLink, type FdTable, type FdTableReader } from './fd-table.js';
import type { LinkQuery } from './link-match.js';
import { parseOpenFilesSoftLimit } from './limits.js';
import { parseIdNameFile, type IdNames } from './passwd.js';
import { parseMountInfo, type MountInfo } from './pid-mountinfo.js';
import { decodeProcBytes } from './proc-text.js';
import { ProcReader } from './reader.js';
import { NO_WATCHES, type WatchList } from './watched-paths.js';
import { parseProcStat, type ProcStat } from './stat.js';
import { parseProcStatus, type ProcStatus } from './status.js';
import { createTaskComparer, type TaskBaseline, type TaskComparer, type TaskComparison } from './task-compare.js';

/** The TCP/UDP tables under /proc/PID/net/. */
export type NetIpTable = 'tcp' | 'tcp6' | 'udp' | 'udp6';

/** A link to a file (exe, cwd) as the kernel shows it. */
export interface FileLink {
  /** Decoded for labels (invalid UTF-8 as \xNN), without the " (deleted)" suffix. */
  path: string;
  /** The link carried the " (deleted)" suffix AND stat says the file has no name left. */
  deleted: boolean;
}

export interface ProcFsOptions {
  /** Use the native fast path when it is built (default true); false forces the TypeScript path. */
  native?: boolean;
  /** Replaces the descriptor-table reader (tests that inject faults into it). */
  fdTables?: FdTableReader;
  /** Watches the calls that may hang on another filesystem (the scan worker's deadline). */
  blockingCalls?: BlockingCalls;
  /** Watched paths (--watch.path) every descriptor table counts its descriptors under. */
  watches?: WatchList;
  /** Every descriptor table builds its open-path index (path-index.ts; the page's file search is on). */
  pathIndex?: boolean;
}

export class ProcFs {
  /** The descriptor-table reader, native or TypeScript, chosen once here. */
  readonly fdTables: FdTableReader;
  /** The thread walk's loop, native when the descriptor tables are read natively. */
  readonly tasks: TaskComparer;
  readonly blockingCalls: BlockingCalls;
  /** The watched paths the descriptor tables count under (index i of a table's hits is paths[i]). */
  readonly watches: WatchList;

  constructor(readonly reader: ProcReader, options: ProcFsOptions = {}) {
    this.watches = options.watches ?? NO_WATCHES;
    this.fdTables = options.fdTables ?? createFdTableReader(reader, options.native ?? true, this.watches, options.pathIndex ?? false);
    this.tasks = createTaskComparer(this.fdTables.native);
    this.blockingCalls = options.blockingCalls ?? UNGUARDED;
  }

  /** A handle on the procfs at `procRoot`, with the host's /etc under `rootfs`. */
  static at(procRoot: string, rootfs = '/', options: ProcFsOptions = {}): ProcFs {
    return new ProcFs(new ProcReader(procRoot, rootfs), options);
  }

  get root(): string {
    return this.reader.procRoot;
  }

  /** Thread-group leaders, ascending. */
  listPids(): number[] {
    return this.reader.listPids();
  }

  proc(pid: number): Proc<number> {
    return new Proc(this, pid);
  }

  /**
   * One thread of a process (/proc/PID/task/TID/): the same methods, answered for that thread, whose
   * descriptor table and network namespace may differ from the leader's (clone without CLONE_FILES,
   * unshare(CLONE_FILES), setns/unshare(CLONE_NEWNET)).
   */
  task(pid: number, tid: number): Proc<number> {
    return new Proc(this, pid, tid);
  }

  /** The process reading the procfs (as that procfs sees it). */
  self(): Proc<'self'> {
    return new Proc(this, 'self');
  }

  /** uid -> name from the rootfs's /etc/passwd, with the file's mtime to re-read only on change. */
  passwdMtimeMs(): number {
    return this.reader.mtimeMs(this.passwdFile());
  }

  readPasswd(): IdNames {
    return parseIdNameFile(this.reader.readUtf8(this.passwdFile()));
  }

  passwdFile(): string {
    return this.reader.rootfsPath('etc/passwd');
  }
}

export class Proc<P extends number | 'self' = number | 'self'> {
  /** @param tid a thread of `pid` (its task folder), or null for the process itself. */
  constructor(private readonly fs: ProcFs, readonly pid: P, readonly tid: number | null = null) {}

  private path(...parts: (string | number)[]): string {
    return this.tid === null ? this.fs.reader.procPath(this.pid, ...parts) : this.fs.reader.procPath(this.pid, 'task', this.tid, ...parts);
  }

  /** The handle of the process itself (its thread-group leader's folder). */
  leader(): Proc<P> {
    return this.tid === null ? this : new Proc(this.fs, this.pid);
  }

  /** A thread of this process (see ProcFs.task). */
  task(tid: number): Proc<number> {
    return new Proc(this.fs, Number(this.pid), tid);
  }

  /** The thread ids of the process (/proc/PID/task), ascending. */
  taskIds(): number[] {
    return this.fs.reader
      .listDir(this.fs.reader.procPath(this.pid, 'task'))
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /**
   * The process's threads compared with it (task-compare.ts): a stat and a readlink per thread not
   * in `skip`. Throws the task folder's own error (the process is gone).
   */
  compareTasks(baseline: TaskBaseline, skip: ReadonlySet<number>): TaskComparison {
    return this.fs.tasks.compare(this.leader(), this.fs.reader.procPath(this.pid, 'task'), baseline, skip);
  }

  stat(): ProcStat {
    return parseProcStat(this.fs.reader.readText(this.path('stat')));
  }

  /** The raw stat text (for a caller that must tell an unreadable file from an unparsable one). */
  statText(): string {
    return this.fs.reader.readText(this.path('stat'));
  }

  status(): ProcStatus {
    return parseProcStatus(this.fs.reader.readUtf8(this.path('status')));
  }

  /** The raw status text (its ids parse separately, status-ids.ts). */
  statusText(): string {
    return this.fs.reader.readUtf8(this.path('status'));
  }

  /** The link text of /proc/PID/{cwd,root,exe} as raw latin1 bytes, " (deleted)" kept; throws when unreadable. */
  linkRaw(name: 'cwd' | 'root' | 'exe'): string {
    return this.fs.reader.readLinkRaw(this.path(name));
  }

  /** The open descriptor numbers (/proc/PID/fd), ascending; throws the folder's own error. */
  fdNumbers(): number[] {
    return this.fs.reader
      .listDir(this.path('fd'))
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The descriptors whose target matches (lsof FILE, +D DIR), one call per folder; throws the folder's error. */
  fdLinksMatching(q: LinkQuery): FdLink[] {
    return this.fs.fdTables.matchingLinks(this.path('fd'), q);
  }

  /** The link text of one descriptor as raw latin1 bytes; throws when closed meanwhile or refused. */
  fdLinkRaw(fd: number): string {
    return this.fs.reader.readLinkRaw(this.path('fd', fd));
  }

  /** /proc/PID/exe; null when unreadable (no ptrace access, a kernel thread, gone). */
  exe(): FileLink | null {
    return this.fileLink('exe', EXE_TARGET);
  }

  /** /proc/PID/cwd; null when unreadable. */
  cwd(): FileLink | null {
    return this.fileLink('cwd', CWD_TARGET);
  }

  private fileLink(name: string, target: number): FileLink | null {
    let raw: string;
    try {
      raw = this.fs.reader.readLinkRaw(this.path(name));
    } catch {
      return null;
    }
    const { path, suffixed } = splitDeletedSuffix(raw);
    const decoded = decodeProcBytes(Buffer.from(path, 'latin1'));
    return { path: decoded, deleted: suffixed && this.linkUnlinked(name, target) };
  }

  private linkUnlinked(name: string, target: number): boolean {
    try {
      return isUnlinked(this.statThrough(target, name));
    } catch {
      return false;
    }
  }

  /** Soft RLIMIT_NOFILE; null for "unlimited". */
  openFilesLimit(): number | null {
    return parseOpenFilesSoftLimit(this.fs.reader.readText(this.path('limits')));
  }

  /** The network namespace inode of /proc/PID/ns/net; null when unreadable (no ptrace access, gone). */
  netns(): string | null {
    try {
      return /^net:\[(\d+)\]$/.exec(this.fs.reader.readLinkRaw(this.path('ns', 'net')))?.[1] ?? null;
    } catch {
      return null;
    }
  }

  /** The mount namespace inode of /proc/PID/ns/mnt; null when unreadable (no ptrace access, gone). */
  mountNamespace(): string | null {
    try {
      return /^mnt:\[(\d+)\]$/.exec(this.fs.reader.readLinkRaw(this.path('ns', 'mnt')))?.[1] ?? null;
    } catch {
      return null;
    }
  }

  /** /proc/PID/root as the kernel names it: "/" unless the process is chrooted; null when unreadable. */
  rootLink(): string | null {
    try {
      return this.fs.reader.readLinkRaw(this.path('root'));
    } catch {
      return null;
    }
  }

  /**
   * lstat(2) of `absolutePath` as the process sees it, through /proc/PID/root (so a container's own
   * tree); the last component is not followed (but "/" is the root directory itself). Throws the fs
   * error (ENOENT: no such entry there).
   */
  lstatInRoot(absolutePath: string): BigIntStats {
    const parts = absolutePath.split('/').filter((c) => c !== '');
    // "/proc/PID/root/../x" would leave the process's root: only canonical paths are looked up.
    if (parts.some((c) => c === '.' || c === '..')) throw new Error(`not a canonical path: ${JSON.stringify(absolutePath)}`);
    const file = this.path('root', ...parts);
    // The root itself is the magic link's target: stat follows it (lstat would see a 0777 link).
    const look = parts.length === 0 ? () => this.fs.reader.stat(file) : () => this.fs.reader.lstat(file);
    return this.fs.blockingCalls.around({ pid: Number(this.pid), tid: this.tid, fd: ROOT_TARGET }, look);
  }

  /** The mounts of the process's mount namespace (pid-mountinfo.ts). */
  mountInfo(): MountInfo[] {
    return parseMountInfo(this.fs.reader.readText(this.path('mountinfo')));
  }

  cgroup(): string {
    return this.fs.reader.readUtf8(this.path('cgroup'));
  }

  fdTable(): FdTable {
    return this.fs.fdTables.read(this.path('fd'));
  }

  /**
   * The owner of /proc/PID: the process's effective uid (root when it made itself non-dumpable).
   * One stat, no file read; null when the process is gone.
   */
  ownerUid(): number | null {
    try {
      return Number(this.fs.reader.stat(this.path()).uid);
    } catch {
      return null;
    }
  }

  /** The kernel's descriptor count (size of the fd folder on Linux >= 6.2); null when unknown. */
  fdCount(): number | null {
    try {
      const size = this.fs.reader.statSize(this.path('fd'));
      return size > 0 ? size : null;
    } catch {
      return null;
    }
  }

  /** stat(2) through /proc/PID/fd/N: the open file itself (throws HungTargetSkipped for a known hang). */
  fdStat(fd: number): BigIntStats {
    return this.statThrough(fd, 'fd', fd);
  }

  /** A stat that leaves procfs for the file's own filesystem, which may never answer. */
  private statThrough(target: number, ...parts: (string | number)[]): BigIntStats {
    const file = this.path(...parts);
    return this.fs.blockingCalls.around({ pid: Number(this.pid), tid: this.tid, fd: target }, () => this.fs.reader.stat(file));
  }

  /** SOCKET_PROTOCOL per socket descriptor, or null where only the tables can tell (no fast path). */
  socketProtocols(fds: Int32Array): Uint8Array | null {
    return this.fs.fdTables.socketProtocols(this.path('fd'), fds);
  }

  /** A TCP/UDP table of the process's network namespace (text; parse with net-ip-socket.ts). */
  netIpTable(table: NetIpTable): string {
    return this.fs.reader.readText(this.path('net', table));
  }

  /** The namespace's /proc/net/unix, streamed in chunks of whole lines (it can be megabytes). */
  netUnixLines(onLines: (text: string) => void | boolean): void {
    this.fs.reader.readLines(this.path('net', 'unix'), onLines);
  }

  /** The inode of every unix socket in the namespace's /proc/net/unix. */
  netUnixInodes(): Float64Array {
    return this.fs.fdTables.unixInodes(this.path('net', 'unix'));
  }

  /**
   * The inode of the process's net/tcp: one per network namespace, readable without ptrace access,
   * so it identifies the namespace of a process whose ns link is refused; null when gone.
   */
  netTableIdentity(): string | null {
    try {
      return String(this.fs.reader.stat(this.path('net', 'tcp')).ino);
    } catch {
      return null;
    }
  }
}
