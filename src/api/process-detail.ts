/**
 * One process as `lsof -p PID` shows it, read live from the procfs when asked (not from the last
 * scan): identity, executable, cwd, namespaces, and every descriptor with its target; sockets with
 * their addresses, ports and state from the process's own network namespace's tables.
 * Every read goes through the process's procfs handle (Proc), from a validated pid (see params.ts).
 */
import { classifyFdTarget, type FdTarget, type FdType } from '../procfs/fd-target.js';
import { decodeProcBytes } from '../procfs/proc-text.js';
import { isUnlinked } from '../procfs/deleted-link.js';
import type { Proc, ProcFs } from '../procfs/proc.js';
import { classifyReadError } from '../procfs/reader.js';
import { parseProcStatus } from '../procfs/status.js';
import { parseStatusIds } from '../procfs/status-ids.js';
import { parseCgroupContainer, NO_CONTAINER, type CgroupContainer } from '../procfs/cgroup.js';
import type { UserNames } from '../scan/user-names.js';
import { ApiError } from './api-error.js';
import { describeSocket, readSocketTables, type SocketEndpoint } from './process-sockets.js';

export type { SocketEndpoint };

/** A process with a million descriptors is answered with the first this many (and says so). */
export const MAX_DESCRIPTORS = 50_000;

export interface DescriptorRow {
  fd: number;
  type: FdType;
  /** The link text as the kernel gives it (undecodable bytes as \xNN), " (deleted)" removed when confirmed. */
  target: string;
  /** The file's link count is 0: deleted but still open. */
  deleted: boolean;
  socket: SocketEndpoint | null;
  /** Bound path of a unix socket ("" when unnamed); null for other kinds, or when the paths were not asked for. */
  unixPath: string | null;
}

export interface ProcessDetail {
  pid: number;
  ppid: number;
  /** Pids in each nested pid namespace, outermost (the exporter's) first. */
  nsPids: number[];
  process: string;
  uid: number;
  euid: number;
  user: string;
  executable: string;
  executableDeleted: boolean;
  cwd: string;
  root: string;
  netns: string;
  container: CgroupContainer;
  fdLimit: number | null;
  fdCount: number;
  descriptors: DescriptorRow[];
  /** Descriptors left out by MAX_DESCRIPTORS. */
  truncated: number;
  readAtMs: number;
}

/** @param hostNetns the host's network namespace, reported as "" like the scan tables do */
export function readProcessDetail(procfs: ProcFs, users: UserNames, pid: number, hostNetns: string, unixPaths = false): ProcessDetail {
  const proc = procfs.proc(pid);
  const orFail = <T>(read: () => T) => readOrFail(procfs, pid, read);
  const stat = orFail(() => proc.stat());
  const statusText = orFail(() => proc.statusText());
  const ids = parseStatusIds(statusText, pid);
  if (ids.tgid !== pid) throw new ApiError(404, `${pid} is a thread of process ${ids.tgid}, not a process`);
  const status = parseProcStatus(statusText);
  users.refresh();
  // The deleted-executable rule of the scan itself (Proc.exe: suffix, then link count 0).
  const exe = proc.exe();
  const ns = proc.netns() ?? '';
  const fds = readDescriptors(procfs, proc, unixPaths);
  return {
    pid,
    ppid: stat.ppid,
    nsPids: ids.nsPids,
    process: decodeProcBytes(Buffer.from(stat.comm, 'latin1')),
    uid: status.realUid,
    euid: status.effectiveUid,
    user: users.name(status.effectiveUid),
    executable: exe?.path ?? '',
    executableDeleted: exe?.deleted ?? false,
    cwd: linkText(proc, 'cwd'),
    root: linkText(proc, 'root'),
    netns: ns === hostNetns ? '' : ns,
    container: optional(() => parseCgroupContainer(proc.cgroup()), NO_CONTAINER),
    fdLimit: optional(() => proc.openFilesLimit(), null),
    fdCount: fds.count,
    descriptors: fds.rows,
    truncated: Math.max(0, fds.count - MAX_DESCRIPTORS),
    readAtMs: Date.now(),
  };
}

function readOrFail<T>(procfs: ProcFs, pid: number, read: () => T): T {
  try {
    return read();
  } catch (err) {
    const failure = classifyReadError(err);
    if (failure === 'gone') throw new ApiError(404, `no process ${pid} in ${procfs.root}`);
    if (failure === 'denied') throw new ApiError(403, `the exporter may not read process ${pid}`);
    throw err;
  }
}

function optional<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback; // unreadable (privilege, or the process is exiting): shown as unknown
  }
}

/** A /proc/PID link as display text ("" when unreadable, e.g. the root of a process we may not ptrace). */
function linkText(proc: Proc, name: 'cwd' | 'root'): string {
  return optional(() => decodeProcBytes(Buffer.from(proc.linkRaw(name), 'latin1')), '');
}

function readDescriptors(procfs: ProcFs, proc: Proc<number>, unixPaths: boolean): { count: number; rows: DescriptorRow[] } {
  const fds = readOrFail(procfs, proc.pid, () => proc.fdNumbers());
  const rows: DescriptorRow[] = [];
  const sockets: { row: DescriptorRow; fd: number; inode: number }[] = [];
  for (const fd of fds.slice(0, MAX_DESCRIPTORS)) {
    let raw: string;
    try {
      raw = proc.fdLinkRaw(fd);
    } catch (err) {
      if (classifyReadError(err) === 'denied') throw new ApiError(403, `the exporter may not read the descriptors of process ${proc.pid} (it needs CAP_SYS_PTRACE, or to run as the process's user)`);
      continue; // closed between readdir and readlink: not open any more
    }
    const t = classifyFdTarget(raw);
    const row = describe(proc, fd, raw, t);
    rows.push(row);
    if (t.kind === 'socket') sockets.push({ row, fd, inode: t.inode });
  }
  // the socket tables are read once, after the links, and only for the inodes this process holds
  if (sockets.length > 0) {
    const tables = readSocketTables(procfs, proc.pid, sockets, unixPaths);
    for (const { row, inode } of sockets) Object.assign(row, describeSocket(tables, inode));
  }
  return { count: fds.length, rows };
}

/**
 * A socket stays socket_other here; readDescriptors types it once the tables are read. The link-count
 * stat goes through Proc.fdStat, so a file on a hung filesystem is skipped as the scan skips it.
 */
function describe(proc: Proc, fd: number, raw: string, t: FdTarget): DescriptorRow {
  const row: DescriptorRow = { fd, type: 'socket_other', target: decodeProcBytes(Buffer.from(raw, 'latin1')), deleted: false, socket: null, unixPath: null };
  if (t.kind === 'simple') row.type = t.type;
  else if (t.kind === 'path') {
    row.type = t.device ? 'device' : 'file';
    row.deleted = t.deletedSuffix && optional(() => isUnlinked(proc.fdStat(fd)), false);
    if (row.deleted) row.target = decodeProcBytes(Buffer.from(t.path, 'latin1'));
  }
  return row;
}
