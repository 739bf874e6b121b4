/**
 * --watch.path: the flag's validation, and the matcher the descriptor readers apply to link texts
 * (the native reader applies the same rule in C: test/integration/watched-paths.test.ts compares).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, MAX_WATCH_PATHS, parseConfig } from '../../src/config.js';
import { addHitPairs, hitPairs, isUnderWatch, NO_HITS, WatchHits, watchList } from '../../src/procfs/watched-paths.js';
import { buildModel } from '../../src/model/model.js';
import type { ProcessRecord, ScanContext } from '../../src/scan/context.js';
import { ScanStatsBuilder } from '../../src/scan/scan-stats.js';
import { emptyFdTypeCounts } from '../../src/procfs/fd-target.js';
import { watchedPathsSignal } from '../../src/signals/watched-paths.js';
import { watchPathProblems } from '../../src/watch-path-check.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { Scanner } from '../../src/scan/scanner.js';
import { makeFakeProc } from '../support/fake-proc.js';
import { SKIP_NATIVE } from '../support/native.js';

describe('--watch.path', () => {
  it('is repeatable, keeps the order given and drops a trailing slash', () => {
    expect(parseConfig(['--watch.path=/etc/shadow', '--watch.path', '/srv/www/', '--watch.path=/']).watchPaths).toEqual(['/etc/shadow', '/srv/www', '/']);
  });

  it('watches nothing by default', () => {
    expect(parseConfig([]).watchPaths).toEqual([]);
  });

  it.each([
    ['', /^--watch\.path: must not be empty/],
    ['etc/shadow', /^--watch\.path: must be an absolute path, got "etc\/shadow"/],
    ['./x', /must be an absolute path/],
    ['/a\nb', /^--watch\.path: must not contain control characters .* got "\/a\\nb"/],
    ['/a\tb', /control characters/],
    ['/a\x7fb', /control characters/],
    ['/a/../b', /^--watch\.path: must be a normalized path/],
    ['/a/./b', /normalized path/],
    ['//a', /normalized path/],
    ['/a//b', /normalized path/],
    [`/${'x'.repeat(4095)}`, /longer than PATH_MAX/],
  ])('refuses %j with a one-line error', (value, error) => {
    const err = (() => {
      try {
        parseConfig([`--watch.path=${value}`]);
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(error);
    expect(err.message).not.toContain('\n');
  });

  it('refuses a path given twice, also when written with a trailing slash', () => {
    expect(() => parseConfig(['--watch.path=/tmp', '--watch.path=/tmp/'])).toThrow(/^--watch\.path: "\/tmp" given twice$/);
  });

  it(`refuses more than ${MAX_WATCH_PATHS} paths`, () => {
    const args = (n: number) => Array.from({ length: n }, (_, i) => `--watch.path=/srv/site${i}`);
    expect(parseConfig(args(MAX_WATCH_PATHS)).watchPaths).toHaveLength(MAX_WATCH_PATHS);
    expect(() => parseConfig(args(MAX_WATCH_PATHS + 1))).toThrow(new RegExp(`given ${MAX_WATCH_PATHS + 1} times, at most ${MAX_WATCH_PATHS} paths`));
  });

  it('refuses watched paths while the watched_paths collector is off', () => {
    expect(() => parseConfig(['--watch.path=/tmp', '--no-collector.watched_paths'])).toThrow(/collector is disabled/);
    expect(() => parseConfig(['--watch.path=/tmp', '--collector.disable-defaults'])).toThrow(/add --collector.watched_paths/);
    expect(parseConfig(['--watch.path=/tmp', '--collector.disable-defaults', '--collector.watched_paths']).watchPaths).toEqual(['/tmp']);
  });

  it('still refuses any other flag given twice', () => {
    expect(() => parseConfig(['--deleted.top=1', '--deleted.top=2'])).toThrow(/--deleted.top: given more than once/);
  });
});

describe('isUnderWatch', () => {
  it.each([
    ['/etc/shadow', '/etc/shadow', true],
    ['/etc/shadowx', '/etc/shadow', false],
    ['/etc/shadow-', '/etc/shadow', false],
    ['/etc/shado', '/etc/shadow', false],
    ['/etc/shadow/x', '/etc/shadow', true], // a file replaced by a directory: everything below it
    ['/tmp', '/tmp', true],
    ['/tmp/a', '/tmp', true],
    ['/tmp/a/b', '/tmp', true],
    ['/tmpfoo', '/tmp', false],
    ['/tmp.x/a', '/tmp', false],
    ['/var/tmp/a', '/tmp', false],
    ['/', '/', true],
    ['/anything/at/all', '/', true],
    ['/tmp/new\nline', '/tmp', true],
    ['/tmp/\xff\xfe', '/tmp', true], // invalid UTF-8: raw bytes as latin1
  ])('%j under %j: %s', (path, watch, expected) => {
    expect(isUnderWatch(path, watch)).toBe(expected);
  });
});

describe('WatchHits', () => {
  it('counts each link under every watch it falls under, as sparse pairs', () => {
    const hits = new WatchHits(watchList(['/srv', '/srv/www/index.html', '/etc/shadow']));
    for (const p of ['/srv/www/index.html', '/srv/www/index.html', '/srv/a', '/srvx', '/etc/passwd']) hits.add(p);
    expect([...hits.pairs()]).toEqual([0, 3, 1, 2]);
  });

  it('matches paths as raw bytes: a watch with non-ASCII characters matches its UTF-8 link text', () => {
    const hits = new WatchHits(watchList(['/srv/café']));
    hits.add(Buffer.from('/srv/café/menu', 'utf8').toString('latin1'));
    hits.add('/srv/café/menu'); // the same text as UTF-16: not the bytes the kernel writes
    expect([...hits.pairs()]).toEqual([0, 1]);
  });

  it('allocates nothing for a table with no hit', () => {
    const hits = new WatchHits(watchList(['/srv']));
    hits.add('/etc/passwd');
    expect(hits.pairs()).toBe(NO_HITS);
    expect(hitPairs([0, 0])).toBe(NO_HITS);
  });

  it('sums the pairs of several tables (a process and its threads)', () => {
    const into = new Map<number, number>();
    addHitPairs(into, Uint32Array.from([0, 2, 3, 1]));
    addHitPairs(into, Uint32Array.from([3, 4]));
    addHitPairs(into, undefined);
    expect([...into]).toEqual([[0, 2], [3, 5]]);
  });
});

function proc(pid: number, user: string, comm: string): ProcessRecord {
  return { pid, startTime: 1, uid: 0, euid: 0, user, comm, exe: '', exeDeleted: false, cwd: '', exePlacement: null, fdCount: 3, fdTypes: emptyFdTypeCounts(), fdLimit: null, netns: '1', container: { id: '', runtime: '', podUid: '' } };
}

function context(processes: ProcessRecord[], watchedPaths: ScanContext['watchedPaths']): ScanContext {
  return { processes, listeners: [], heldListeners: [], connections: [], deletedFiles: [], procfsVisibility: { overmountedPids: [], hidepid: 'off' }, hostNetns: '1', stats: new ScanStatsBuilder(false).finish(), ...(watchedPaths && { watchedPaths }) };
}

describe('the watched_paths signal', () => {
  const opts = { groupBy: ['user', 'process'] as const, maxSeries: 4, deletedTop: 0, watchedRemotePorts: [] };

  it('sums descriptors by group and watched path, and counts holders per path', () => {
    const ctx = context([proc(1, 'www-data', 'php-fpm'), proc(2, 'www-data', 'php-fpm'), proc(3, 'root', 'sshd')], [
      { pid: 1, path: '/srv/www', descriptors: 2 },
      { pid: 2, path: '/srv/www', descriptors: 5 },
      { pid: 3, path: '/etc/shadow', descriptors: 1 },
      { pid: 99, path: '/etc/shadow', descriptors: 1 }, // gone from the processes: not reported
    ]);
    const m = buildModel(ctx, [watchedPathsSignal], { ...opts, groupBy: [...opts.groupBy] });
    expect(m.samples.watched_path_descriptors).toEqual([
      { labels: { user: 'www-data', process: 'php-fpm', path: '/srv/www' }, value: 7 },
      { labels: { user: 'root', process: 'sshd', path: '/etc/shadow' }, value: 1 },
    ]);
    expect(m.samples.watched_path_processes).toEqual([
      { labels: { path: '/srv/www' }, value: 2 },
      { labels: { path: '/etc/shadow' }, value: 1 },
    ]);
  });

  it('has no series without watched paths', () => {
    const m = buildModel(context([proc(1, 'root', 'init')], undefined), [watchedPathsSignal], { ...opts, groupBy: [...opts.groupBy] });
    expect(m.samples.watched_path_descriptors).toEqual([]);
    expect(m.samples.watched_path_processes).toEqual([]);
    expect(m.health.watched_paths?.success).toBe(true);
  });

  it('escapes a process name with control characters in its label', () => {
    const m = buildModel(context([proc(1, 'mallory', 'evil\nname')], [{ pid: 1, path: '/tmp', descriptors: 1 }]), [watchedPathsSignal], { ...opts, groupBy: [...opts.groupBy] });
    expect(m.samples.watched_path_descriptors![0]!.labels.process).toBe('evil\\x0aname');
  });

  it('keeps every other user\'s series and the exact holder counts when one user floods the cap', () => {
    const flood = Array.from({ length: 50 }, (_, i) => proc(100 + i, 'mallory', `flood${i}`));
    const victims = [proc(1, 'root', 'sshd'), proc(2, 'www-data', 'nginx')];
    const ctx = context([...victims, ...flood], [
      { pid: 1, path: '/etc/shadow', descriptors: 1 },
      { pid: 2, path: '/srv/www', descriptors: 3 },
      ...flood.map((p) => ({ pid: p.pid, path: '/srv/www', descriptors: 5000 })),
    ]);
    const m = buildModel(ctx, [watchedPathsSignal], { ...opts, groupBy: [...opts.groupBy] });
    expect(m.samples.watched_path_descriptors).toHaveLength(4);
    expect(m.samples.watched_path_descriptors).toContainEqual({ labels: { user: 'root', process: 'sshd', path: '/etc/shadow' }, value: 1 });
    expect(m.samples.watched_path_descriptors).toContainEqual({ labels: { user: 'www-data', process: 'nginx', path: '/srv/www' }, value: 3 });
    expect(m.dropped.watched_path_descriptors).toBe(48);
    expect(m.samples.watched_path_processes).toContainEqual({ labels: { path: '/srv/www' }, value: 51 });
  });
});

describe('the start-up check of the watched paths', () => {
  it('names a path that does not exist yet and one that goes through a symbolic link, under --path.rootfs', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-watch-check-'));
    try {
      fs.mkdirSync(path.join(root, 'run'));
      fs.symlinkSync('run', path.join(root, 'varrun'));
      const real = (p: string) => path.join(root, p);
      expect(watchPathProblems([real('run'), real('varrun'), real('later.log')], '/')).toEqual([
        { path: real('varrun'), problem: 'symlink', resolved: real('run') },
        { path: real('later.log'), problem: 'missing' },
      ]);
      // Under a mounted host root, existence is checked there (symbolic links are not resolved).
      expect(watchPathProblems(['/run', '/varrun', '/later.log'], root)).toEqual([{ path: '/later.log', problem: 'missing' }]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('watched paths over hostile link texts (fixture tree, both descriptor paths)', () => {
  const links: Record<number, string> = {
    3: '/etc/shadow',
    4: '/etc/shadow (deleted)', // the deleted file, under the name it had
    5: '/etc/shadowx',
    6: 'etc/shadow', // not a path link: never matched
    7: '//etc/shadow', // the kernel never writes it; not normalized here either
    8: '/etc/shadow/../passwd', // nor this: compared as written, it lies below the watch
    9: '/srv/www/a\nb',
    10: `/srv/www/${'d/'.repeat(1500)}deep`,
    11: '/srv/wwwx/index.html',
    12: '/memfd:/srv/www (deleted)',
    13: Buffer.from('/srv/www/\xff\xfe', 'latin1').toString('latin1'),
    14: 'socket:[/srv/www]',
  };
  const fixture = makeFakeProc({ processes: [{ pid: 1, comm: 'init', exe: '/sbin/init', fds: links }] });
  const watches = watchList(['/etc/shadow', '/srv/www']);

  it.each(SKIP_NATIVE ? [false] : [true, false])('counts 3 under /etc/shadow and 3 under /srv/www (native: %s)', (native) => {
    const ctx = new Scanner(ProcFs.at(fixture.procfs, fixture.rootfs, { native, watches }), { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: false, deletedFiles: false }).scan();
    expect(ctx.watchedPaths).toEqual([
      { pid: 1, path: '/etc/shadow', descriptors: 3 },
      { pid: 1, path: '/srv/www', descriptors: 3 },
    ]);
  });

  afterAll(() => fs.rmSync(fixture.dir, { recursive: true, force: true }));
});
