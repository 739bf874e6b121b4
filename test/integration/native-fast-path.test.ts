/**
 * The native fast path (native/procfs_fast.c) must give exactly what the TypeScript path gives: on
 * the real /proc (a child holding every kind of descriptor), on a hostile tree of links, for unix
 * socket tables, and through a whole scan. CI builds it (scripts/install-system-deps installs the
 * toolchain), so a missing addon fails here instead of silently testing only one path.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachUnixInode } from '../../src/procfs/net-unix.js';
import { loadNative, SOCKET_PROTOCOL } from '../../src/procfs/native.js';
import { type FdTable } from '../../src/procfs/fd-table.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { Scanner } from '../../src/scan/scanner.js';
import { started, startFdHolder, type HeldChild } from '../support/children.js';
import { SKIP_NATIVE } from '../support/native.js';

const native = loadNative();
const fast = ProcFs.at('/proc');
const slow = ProcFs.at('/proc', '/', { native: false });
const readFdTable = (procfs: ProcFs, pid: number) => procfs.proc(pid).fdTable();

/** A table in a comparable form: sockets sorted by descriptor. */
function plain(t: FdTable) {
  const sockets = [...t.socketFds].map((fd, i) => [fd, t.socketInodes[i]]).sort((a, b) => a[0]! - b[0]!);
  return { count: t.count, nonSocket: t.nonSocket, sockets, deleted: [...t.deletedCandidates].sort((a, b) => a.fd - b.fd), memfds: [...t.memfdFds].sort((a, b) => a - b) };
}

describe.skipIf(SKIP_NATIVE)('native fast path', () => {
  it('is built and loads (npm ci builds it when python3, make and g++ are present)', () => {
    expect(native.reason).toBe('');
    expect(native.native).toBeDefined();
    expect(fast.fdTables.native).toBe(true);
    expect(slow.fdTables.native).toBe(false);
  });

  describe('on the real /proc', () => {
    let holder: HeldChild;
    let deletedDir: string;
    beforeAll(async () => {
      deletedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-native-'));
      const file = path.join(deletedDir, 'gone (deleted) twice');
      fs.writeFileSync(file, 'x'.repeat(4096));
      holder = await startFdHolder(['hold', file, '/etc/passwd', '/dev/null']);
      fs.rmSync(file);
    });
    afterAll(async () => {
      await holder?.stop();
      fs.rmSync(deletedDir, { recursive: true, force: true });
    });

    it('reads the same table as the TypeScript loop, descriptor for descriptor', () => {
      const a = plain(readFdTable(fast, holder.pid));
      const b = plain(readFdTable(slow, holder.pid));
      expect(a).toEqual(b);
      expect(a.count).toBeGreaterThanOrEqual(6);
      expect(a.deleted.map((d) => d.rawPath)).toEqual([path.join(deletedDir, 'gone (deleted) twice')]);
      expect(a.nonSocket.device).toBeGreaterThanOrEqual(1);
    });

    it('matches on a process holding every kind (pipes, sockets, eventfd, epoll, timerfd, signalfd, inotify)', async () => {
      const kinds = await startFdHolder(['kinds', '5']);
      try {
        const a = plain(readFdTable(fast, kinds.pid));
        expect(a).toEqual(plain(readFdTable(slow, kinds.pid)));
        for (const t of ['anon_eventfd', 'anon_eventpoll', 'anon_timerfd', 'anon_signalfd', 'anon_inotify'] as const) expect(a.nonSocket[t], t).toBe(5);
        expect(a.nonSocket.pipe).toBeGreaterThanOrEqual(5); // and its stdio pipes
        expect(a.sockets.length).toBeGreaterThanOrEqual(10); // 5 socket pairs, and its stdio sockets
      } finally {
        await kinds.stop();
      }
    });

    it('lists the same memfd descriptors, at most 256 of them, as the TypeScript loop', async () => {
      // 300 memfds (one named like a deleted file) among regular files: the C loop counts them and
      // keeps the numbers of the lowest 256 on the way, as the TypeScript path bounds them.
      const code = "import os, sys\nfds = [os.memfd_create('evil (deleted)' if i == 0 else f'm{i}') for i in range(300)]\nfiles = [open('/etc/passwd') for _ in range(5)]\nprint('ready', os.getpid(), 0, flush=True)\nsys.stdin.read()\n";
      const memfds = await started(spawn('python3', ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'] }), 'python3 memfd holder');
      try {
        const a = plain(readFdTable(fast, memfds.pid));
        expect(a).toEqual(plain(readFdTable(slow, memfds.pid)));
        expect(a.nonSocket.memfd).toBe(300);
        expect(a.memfds).toHaveLength(256);
        expect(a.deleted).toEqual([]);
        for (const fd of a.memfds) expect(fs.readlinkSync(`/proc/${memfds.pid}/fd/${fd}`)).toMatch(/^\/memfd:/);
      } finally {
        await memfds.stop();
      }
    });

    it('throws the errno code the scanner classifies (ENOENT for a process that is gone)', () => {
      expect(() => readFdTable(fast, 2 ** 30)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    });

    it('reads the inodes of /proc/net/unix as forEachUnixInode does', () => {
      // Two reads of a live table differ by the sockets opened or closed in between: compare the
      // native read against the TypeScript read of the same bytes.
      const copy = path.join(deletedDir, 'unix');
      fs.writeFileSync(copy, fs.readFileSync('/proc/net/unix'));
      const want: number[] = [];
      forEachUnixInode(fs.readFileSync(copy, 'latin1'), (i) => want.push(i));
      expect([...native.native!.readUnixInodes(copy)]).toEqual(want);
      expect(want.length).toBeGreaterThan(0);
    });

    it('tells unix sockets from others by their protocol name', async () => {
      const sockPath = path.join(deletedDir, 's.sock');
      const unixServer = net.createServer().listen(sockPath);
      const tcpServer = net.createServer().listen(0, '127.0.0.1');
      await Promise.all([unixServer, tcpServer].map((s) => new Promise((r) => s.once('listening', r))));
      try {
        const fdOf = (s: net.Server) => (s as unknown as { _handle: { fd: number } })._handle.fd;
        const answers = native.native!.socketProtocols(`/proc/${process.pid}/fd`, Int32Array.from([fdOf(unixServer), fdOf(tcpServer), 0x7fff0000]));
        expect([...answers]).toEqual([SOCKET_PROTOCOL.unix, SOCKET_PROTOCOL.other, SOCKET_PROTOCOL.unknown]);
      } finally {
        unixServer.close();
        tcpServer.close();
      }
    });

    it('scans the host to the same processes, types and listeners as the TypeScript path', () => {
      // Two scans of a live host differ by what ran in between; the fdholder children are stable.
      const pick = (r: ProcFs) => {
        const s = new Scanner(r, { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: true }).scan();
        const p = s.processes.find((x) => x.pid === holder.pid)!;
        return { fdTypes: p.fdTypes, fdCount: p.fdCount, deleted: (s.deletedFiles ?? []).filter((d) => d.holders.some((h) => h.pid === holder.pid)) };
      };
      expect(pick(fast)).toEqual(pick(slow));
    });
  });

  describe('on a hostile tree of links', () => {
    let dir: string;
    const targets: Record<string, string | Buffer> = {
      '0': 'socket:[12]',
      '1': 'socket:[abc]',
      '2': 'socket:[ 13]',
      '3': 'socket:[]',
      '4': 'socket:[1234567890123456789]',
      '5': 'anon_inode:[eventfd]',
      '6': 'anon_inode:bpf-map',
      '7': 'anon_inode:[[eventfd]]',
      '8': '/dev/null',
      '9': '/dev/shm/x (deleted)',
      '10': '/tmp/a\nb (deleted)',
      '11': 'pipe:[1]',
      '12': 'weird',
      '13': Buffer.from([0x2f, 0x74, 0xff, 0xfe, 0x20, 0x28, 0x64, 0x65, 0x6c, 0x65, 0x74, 0x65, 0x64, 0x29]), // "/t\xff\xfe (deleted)"
      '14': '/x (deleted) (deleted)',
      '15': ' (deleted)',
      '16': 'net:[4026531840]',
      '17': 'anon_inode:inotify',
      '18': '/dev/mqueue/q',
      not_a_fd: '/etc/passwd',
    };
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-native-links-'));
      fs.mkdirSync(path.join(dir, '1', 'fd'), { recursive: true });
      for (const [name, target] of Object.entries(targets)) fs.symlinkSync(target, path.join(dir, '1', 'fd', name));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('classifies every link as the TypeScript path does', () => {
      const a = plain(readFdTable(ProcFs.at(dir), 1));
      expect(a).toEqual(plain(readFdTable(ProcFs.at(dir, '/', { native: false }), 1)));
      expect(a.count).toBe(19); // not_a_fd is not a descriptor
      expect(a.sockets.map(([fd]) => fd)).toEqual([0, 2, 3, 4]); // what Number() accepts, as before
      expect(a.deleted.map((d) => d.fd)).toEqual([9, 10, 13, 14]);
    });

    it('keeps the lowest-numbered 256 memfds in whatever order the folder lists them', () => {
      // 300 memfd links in the order of the file system's hash (ext4, tmpfs), not of their numbers.
      const memfdDir = path.join(dir, '2', 'fd');
      fs.mkdirSync(memfdDir, { recursive: true });
      for (let fd = 299; fd >= 0; fd--) fs.symlinkSync(`/memfd:m${fd} (deleted)`, path.join(memfdDir, String(fd)));
      fs.symlinkSync('/etc/passwd', path.join(memfdDir, '300'));
      const a = plain(readFdTable(ProcFs.at(dir), 2));
      expect(a).toEqual(plain(readFdTable(ProcFs.at(dir, '/', { native: false }), 2)));
      expect(a.nonSocket.memfd).toBe(300);
      expect(a.memfds).toEqual([...Array(256).keys()]);
    });

    it('reads hostile unix tables as forEachUnixInode does', () => {
      const text = [
        'Num       RefCount Protocol Flags    Type St Inode Path',
        '0000000066604e48: 00000003 00000000 00000000 0001 03  1052',
        '00000000b7fe302f: 00000002 00000000 00010000 0001 01  1053 @x y z 77',
        'garbage line',
        '0: 1 2 3 4 5 99abc /p',
        '0: 1 2 3 4 5 0 /zero',
        '0: 1\t2 3 4 5 6 7',
        '',
        '0: 1 2 3 4 5 123456789012',
      ].join('\n');
      const file = path.join(dir, 'unix');
      fs.writeFileSync(file, text);
      const want: number[] = [];
      forEachUnixInode(text, (i) => want.push(i));
      expect([...native.native!.readUnixInodes(file)]).toEqual(want);
      expect(want).toEqual([1052, 1053, 99, 7, 123456789012]); // a tab is not a separator
    });
  });
});
