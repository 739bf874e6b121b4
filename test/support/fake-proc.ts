/**
 * Builds a procfs-shaped folder for parser-level and hostile-input tests of the scanner. Links are
 * real symlinks whose target text is whatever /proc would show (socket:[N], /path (deleted), ...).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { META_FILE, type FixtureMeta } from './fixture-reader.js';

export interface FakeProcess {
  pid: number;
  comm: string;
  /** Raw bytes of comm when it is not valid UTF-8 (overrides comm in stat). */
  commBytes?: Buffer;
  state?: string;
  uid?: number;
  startTime?: number;
  flags?: number;
  exe?: string;
  /** Target text of the cwd link. */
  cwd?: string;
  /** A directory standing for the process's root (/proc/PID/root): its tree with real modes. */
  root?: string;
  /** Mount namespace inode (ns/mnt), written when `root` is. */
  mntns?: string;
  fds?: Record<number, string>;
  openFilesLimit?: number;
  netns?: string;
  cgroup?: string;
  /** Replace the stat file with this text (hostile input). */
  rawStat?: string;
}

export interface FakeProcSpec {
  processes: FakeProcess[];
  /** What only the real kernel shows (fd counts, unlinked files, refusals): see fixture-reader.ts. */
  meta?: Partial<FixtureMeta>;
  /** Tables under PID/net/ of every process (tcp, tcp6, udp, udp6, unix). */
  net?: Partial<Record<'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix', string>>;
  passwd?: string;
}

const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const UNIX_HEADER = 'Num       RefCount Protocol Flags    Type St Inode Path\n';

export function makeFakeProc(spec: FakeProcSpec): { procfs: string; rootfs: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-fakeproc-'));
  const procfs = path.join(dir, 'proc');
  const rootfs = path.join(dir, 'root');
  fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'etc/passwd'), spec.passwd ?? 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n');
  for (const p of spec.processes) writeProcess(procfs, p, spec);
  const meta: FixtureMeta = { fdCounts: false, stats: {}, denied: [], ...spec.meta };
  fs.writeFileSync(path.join(dir, META_FILE), JSON.stringify(meta));
  return { procfs, rootfs, dir };
}

function writeProcess(procfs: string, p: FakeProcess, spec: FakeProcSpec): void {
  const d = path.join(procfs, String(p.pid));
  fs.mkdirSync(path.join(d, 'fd'), { recursive: true });
  fs.mkdirSync(path.join(d, 'net'));
  fs.mkdirSync(path.join(d, 'ns'));
  const uid = p.uid ?? 0;
  const comm = p.commBytes ?? Buffer.from(p.comm, 'utf8');
  const tail = ` ${p.state ?? 'S'} 1 ${p.pid} ${p.pid} 0 -1 ${p.flags ?? 4194560} 0 0 0 0 0 0 0 0 20 0 1 0 ${p.startTime ?? 1000} 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0`;
  fs.writeFileSync(path.join(d, 'stat'), p.rawStat ?? Buffer.concat([Buffer.from(`${p.pid} (`), comm, Buffer.from(`)${tail}\n`)]));
  const statusName = p.comm.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  fs.writeFileSync(path.join(d, 'status'), `Name:\t${statusName}\nState:\tS (sleeping)\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  fs.writeFileSync(path.join(d, 'limits'), `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            ${p.openFilesLimit ?? 1024}                 4096                 files     \n`);
  fs.writeFileSync(path.join(d, 'cgroup'), p.cgroup ?? '0::/\n');
  if (p.exe !== undefined) fs.symlinkSync(p.exe, path.join(d, 'exe'));
  if (p.cwd !== undefined) fs.symlinkSync(p.cwd, path.join(d, 'cwd'));
  if (p.root !== undefined) {
    fs.symlinkSync(p.root, path.join(d, 'root'));
    fs.symlinkSync(`mnt:[${p.mntns ?? '4026531841'}]`, path.join(d, 'ns', 'mnt'));
  }
  fs.symlinkSync(`net:[${p.netns ?? '4026531840'}]`, path.join(d, 'ns', 'net'));
  for (const [fd, target] of Object.entries(p.fds ?? {})) fs.symlinkSync(target, path.join(d, 'fd', fd));
  const net = spec.net ?? {};
  for (const t of ['tcp', 'tcp6', 'udp', 'udp6'] as const) fs.writeFileSync(path.join(d, 'net', t), net[t] ?? TCP_HEADER);
  fs.writeFileSync(path.join(d, 'net', 'unix'), net.unix ?? UNIX_HEADER);
  // The kernel makes /proc/PID owned by the process's effective uid; as root the fixture can too.
  if (process.getuid?.() === 0) fs.chownSync(d, uid, uid);
}
