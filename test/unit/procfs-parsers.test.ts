import { describe, expect, it } from 'vitest';
import { parseProcStat, isKernelThread } from '../../src/procfs/stat.js';
import { parseProcStatus } from '../../src/procfs/status.js';
import { parseOpenFilesSoftLimit } from '../../src/procfs/limits.js';
import { classifyFdTarget } from '../../src/procfs/fd-target.js';
import { parseIdNameFile } from '../../src/procfs/passwd.js';
import { decodeProcBytes } from '../../src/procfs/proc-text.js';

const STAT_TAIL = 'S 1 4617 1080 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 61581 3133440 390 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0';

describe('parseProcStat', () => {
  const cases: [string, string, string][] = [
    ['plain name', `4638 (cat) ${STAT_TAIL}`, 'cat'],
    ['name with spaces', `4638 (my worker) ${STAT_TAIL}`, 'my worker'],
    ['name with parentheses', `4638 (a) (b)) ${STAT_TAIL}`, 'a) (b)'],
    ['name with newline', `4638 (evil\nname) ${STAT_TAIL}`, 'evil\nname'],
    ['name with quotes and backslash', `4638 ("x\\y') ${STAT_TAIL}`, `"x\\y'`],
    ['empty name', `4638 () ${STAT_TAIL}`, ''],
  ];
  it.each(cases)('%s', (_name, text, comm) => {
    const s = parseProcStat(text);
    expect(s).toEqual({ pid: 4638, comm, state: 'S', ppid: 1, flags: 4194304, startTime: 61581 });
    expect(isKernelThread(s)).toBe(false);
  });

  it('recognises kernel threads by PF_KTHREAD', () => {
    const s = parseProcStat('2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0');
    expect(isKernelThread(s)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no parentheses', '12 cat S 1'],
    ['not enough fields', '12 (cat) S 1 2 3'],
    ['non-numeric start time', `12 (cat) ${STAT_TAIL.replace('61581', 'xx')}`],
  ])('rejects %s', (_n, text) => {
    expect(() => parseProcStat(text)).toThrow(/stat:/);
  });
});

describe('parseProcStatus', () => {
  it('reads name and real/effective uid', () => {
    const s = parseProcStatus('Name:\tnginx\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t33\t0\t0\t0\nGid:\t33\t33\t33\t33\nThreads:\t4\n');
    expect(s).toEqual({ name: 'nginx', realUid: 33, effectiveUid: 0, threads: 4 });
  });
  it('undoes the kernel escaping of newlines and backslashes in Name', () => {
    expect(parseProcStatus('Name:\ta\\nb\\\\c\nUid:\t0\t0\t0\t0\n').name).toBe('a\nb\\c');
  });
  it('reads the thread count, null when the line is missing or not a count', () => {
    expect(parseProcStatus('Name:\ta\nUid:\t0\t0\t0\t0\nThreads:\t1\n').threads).toBe(1);
    expect(parseProcStatus('Name:\ta\nUid:\t0\t0\t0\t0\n').threads).toBeNull();
    expect(parseProcStatus('Name:\ta\nUid:\t0\t0\t0\t0\nThreads:\tx\n').threads).toBeNull();
  });
  it('keeps spaces in names', () => {
    expect(parseProcStatus('Name:\tmy prog \nUid:\t1\t1\t1\t1\n').name).toBe('my prog ');
  });
  it.each([
    ['no Name', 'Uid:\t0\t0\t0\t0\n'],
    ['no Uid', 'Name:\tx\n'],
    ['garbage Uid', 'Name:\tx\nUid:\tzero\n'],
  ])('rejects %s', (_n, text) => {
    expect(() => parseProcStatus(text)).toThrow(/status:/);
  });
});

describe('parseOpenFilesSoftLimit', () => {
  const header = 'Limit                     Soft Limit           Hard Limit           Units     \n';
  it('reads the soft limit', () => {
    expect(parseOpenFilesSoftLimit(`${header}Max cpu time              unlimited            unlimited            seconds   \nMax open files            1024                 524288               files     \n`)).toBe(1024);
  });
  it('maps unlimited to null', () => {
    expect(parseOpenFilesSoftLimit(`${header}Max open files            unlimited            unlimited            files     \n`)).toBeNull();
  });
  it('rejects a missing or bad line', () => {
    expect(() => parseOpenFilesSoftLimit(header)).toThrow(/limits:/);
    expect(() => parseOpenFilesSoftLimit(`${header}Max open files            lots  lots files\n`)).toThrow(/limits:/);
  });
});

describe('classifyFdTarget', () => {
  it.each([
    ['socket:[12345]', { kind: 'socket', inode: 12345 }],
    ['pipe:[999]', { kind: 'simple', type: 'pipe' }],
    ['anon_inode:[eventfd]', { kind: 'simple', type: 'anon_eventfd' }],
    ['anon_inode:[eventpoll]', { kind: 'simple', type: 'anon_eventpoll' }],
    ['anon_inode:inotify', { kind: 'simple', type: 'anon_inotify' }],
    ['anon_inode:[timerfd]', { kind: 'simple', type: 'anon_timerfd' }],
    ['anon_inode:[signalfd]', { kind: 'simple', type: 'anon_signalfd' }],
    ['anon_inode:bpf-map', { kind: 'simple', type: 'anon_other' }],
    ['anon_inode:[pidfd]', { kind: 'simple', type: 'anon_other' }],
    ['net:[4026531840]', { kind: 'simple', type: 'other' }],
    ['/var/log/syslog', { kind: 'path', path: '/var/log/syslog', deletedSuffix: false, device: false }],
    ['/dev/null', { kind: 'path', path: '/dev/null', deletedSuffix: false, device: true }],
    ['/dev/shm/x', { kind: 'path', path: '/dev/shm/x', deletedSuffix: false, device: false }],
    ['/tmp/data (deleted)', { kind: 'path', path: '/tmp/data', deletedSuffix: true, device: false }],
    // A live file whose own name ends in " (deleted)" and was then deleted: the kernel adds one more.
    ['/tmp/x (deleted) (deleted)', { kind: 'path', path: '/tmp/x (deleted)', deletedSuffix: true, device: false }],
    ['/tmp/with space/and\nnewline', { kind: 'path', path: '/tmp/with space/and\nnewline', deletedSuffix: false, device: false }],
  ])('%j', (target, expected) => {
    expect(classifyFdTarget(target)).toEqual(expected);
  });
});

describe('parseIdNameFile', () => {
  it('maps ids to names, first entry wins, skips comments and NIS lines', () => {
    const { names, rejectedLines } = parseIdNameFile(
      'root:x:0:0:root:/root:/bin/bash\n# comment\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\ntoor:x:0:0::/:/bin/sh\n+@nis::::::\nbroken line\nnoid:x::1::/:/bin/sh\n',
    );
    expect([...names]).toEqual([
      [0, 'root'],
      [33, 'www-data'],
    ]);
    expect(rejectedLines).toBe(3);
  });
});

describe('decodeProcBytes', () => {
  it('keeps valid UTF-8 exactly', () => {
    expect(decodeProcBytes(Buffer.from('naïve "q" \\ \n 日本', 'utf8'))).toBe('naïve "q" \\ \n 日本');
  });
  it('escapes bytes that are not UTF-8 as \\xNN', () => {
    expect(decodeProcBytes(Buffer.from([0x61, 0xff, 0x62, 0xc3]))).toBe('a\\xffb\\xc3');
  });
  it('rejects overlong encodings and surrogates', () => {
    expect(decodeProcBytes(Buffer.from([0xc0, 0xaf]))).toBe('\\xc0\\xaf');
    expect(decodeProcBytes(Buffer.from([0xed, 0xa0, 0x80]))).toBe('\\xed\\xa0\\x80');
  });
});
