/**
 * The pure parts of the page and its API: the worker's digest of a scan, first-seen times, pid and
 * file-query validation, the one-process gate, CSV export, and the page's size budget.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/api-error.js';
import { parseFileQuery } from '../../src/api/file-holders.js';
import { ListenerFirstSeen } from '../../src/api/first-seen.js';
import { parseFlagParam, parsePidParam } from '../../src/api/params.js';
import { isLoopbackHost, processViewRefusal } from '../../src/api/process-view-gate.js';
import { buildUiSnapshot, UI_MAX_HOLDERS, type UiListener } from '../../src/api/ui-snapshot.js';
import { parseConfig } from '../../src/config.js';
import type * as Assets from '../../src/http/ui/assets.js';
import { UI_SIZE_BUDGET_BYTES } from '../../src/http/ui/assets.js';
import { toCsv } from '../../src/http/ui/page/export.js';
import { emptyFdTypeCounts } from '../../src/procfs/fd-target.js';
import { parseStatusIds } from '../../src/procfs/status-ids.js';
import { collectUnixPaths } from '../../src/procfs/net-unix-paths.js';
import { tcpStateName } from '../../src/procfs/tcp-state.js';
import type { ProcessRecord, ScanContext as Snapshot } from '../../src/scan/context.js';

const HOST = '4026531840';

function proc(pid: number, over: Partial<ProcessRecord> = {}): ProcessRecord {
  return {
    pid, startTime: 1, uid: 33, euid: 33, user: 'www-data', comm: 'nginx', exe: '/usr/sbin/nginx', exeDeleted: false, cwd: '/', exePlacement: null,
    fdCount: 10, fdTypes: { ...emptyFdTypeCounts(), file: 6, socket_tcp: 4 }, fdLimit: 100, netns: HOST,
    container: { id: '', runtime: '', podUid: '' }, ...over,
  };
}

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return { processes: [], listeners: [], heldListeners: [], connections: [], deletedFiles: [], procfsVisibility: { overmountedPids: [], hidepid: 'off' }, hostNetns: HOST, stats: { durationSeconds: 0.5 } as Snapshot['stats'], ...over };
}

describe('buildUiSnapshot', () => {
  it('names the holders of a listener and reports the host namespace as ""', () => {
    const ui = buildUiSnapshot(snapshot({
      processes: [proc(10), proc(11)],
      listeners: [{ protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port: 80, inode: 5, netns: HOST, socketUid: 0, holders: [10, 11] }],
    }), HOST);
    expect(ui.listeners.rows[0]).toMatchObject({ netns: '', port: 80, holderCount: 2, holders: [{ pid: 10, process: 'nginx', user: 'www-data', executable: '/usr/sbin/nginx' }, { pid: 11 }] });
  });

  it('keeps another namespace by its inode and a holder it no longer knows as a bare pid', () => {
    const ui = buildUiSnapshot(snapshot({ listeners: [{ protocol: 'udp', family: 'ipv6', address: '::', port: 53, inode: 5, netns: '999', socketUid: 0, holders: [42] }] }), HOST);
    expect(ui.listeners.rows[0]).toMatchObject({ netns: '999', holders: [{ pid: 42, process: '', user: '', executable: '' }] });
  });

  it('caps holders per row and counts the rest', () => {
    const pids = Array.from({ length: UI_MAX_HOLDERS + 5 }, (_, i) => i + 1);
    const ui = buildUiSnapshot(snapshot({ deletedFiles: [{ device: '8:1', inode: '7', size: 10, allocatedBytes: 4096, path: '/x', holders: pids.map((pid) => ({ pid, fd: 3 })) }] }), HOST);
    expect(ui.deletedFiles.rows[0]!.holders).toHaveLength(UI_MAX_HOLDERS);
    expect(ui.deletedFiles.rows[0]!.holderCount).toBe(UI_MAX_HOLDERS + 5);
    expect(ui.deletedFiles.rows[0]!.allocatedBytes).toBe(4096);
  });

  it('caps each table and says how many rows it left out, largest deleted files first', () => {
    const files = [1, 3, 2].map((size) => ({ device: '8:1', inode: String(size), size, allocatedBytes: size * 4096, path: `/f${size}`, holders: [] }));
    const ui = buildUiSnapshot(snapshot({ deletedFiles: files }), HOST, { maxRows: 2 });
    expect(ui.deletedFiles.rows.map((f) => f.sizeBytes)).toEqual([3, 2]);
    expect(ui.deletedFiles.truncated).toBe(1);
    expect(ui.deletedFiles.rows[0]!.allocatedBytes).toBe(3 * 4096);
  });

  it('groups processes by user, executable, namespace and container, with the fullest member against its limit', () => {
    const ui = buildUiSnapshot(snapshot({
      processes: [
        proc(1, { fdCount: 10, fdLimit: 100 }),
        proc(2, { fdCount: 90, fdLimit: 100, comm: 'nginx: worker', fdTypes: { ...emptyFdTypeCounts(), pipe: 90 } }),
        proc(3, { user: 'root', uid: 0, euid: 0 }),
        proc(4, { fdCount: null, fdLimit: null }),
        proc(5, { container: { id: 'abc', runtime: 'docker', podUid: '' } }),
      ],
    }), HOST);
    const www = ui.processGroups.rows.find((g) => g.user === 'www-data' && g.container.id === '')!;
    expect(www).toMatchObject({ processCount: 3, pids: [1, 2, 4], fdCount: 100, fdLimitRatioMax: 0.9, fdLimitRatioPid: 2, uninspectable: 1, processNames: ['nginx', 'nginx: worker'], netns: '' });
    expect(www.fdTypes).toMatchObject({ file: 6, socket_tcp: 4, pipe: 90 });
    expect(www.signals).toBeUndefined();
    expect(ui.processGroups.rows).toHaveLength(3);
  });
});

describe('ListenerFirstSeen', () => {
  const l = (port: number): UiListener => ({ protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port, netns: '', container: { id: '', runtime: '', podUid: '' }, socketUid: 0, holders: [], holderCount: 0 });

  it('treats the first scan as the baseline and later arrivals as new, keeping the first time', () => {
    const seen = new ListenerFirstSeen();
    seen.observe([l(22)], 1000);
    seen.observe([l(22), l(8080)], 2000);
    seen.observe([l(22), l(8080)], 3000);
    expect(seen.isNew(l(22))).toBe(false);
    expect(seen.isNew(l(8080))).toBe(true);
    expect(seen.firstSeenMs(l(8080))).toBe(2000);
    expect(seen.firstSeenMs(l(9))).toBeNull();
  });

  it('keeps a restarted service on the same port as first seen before', () => {
    const seen = new ListenerFirstSeen();
    seen.observe([l(22)], 1000);
    seen.observe([], 2000);
    seen.observe([l(22)], 3000);
    expect(seen.firstSeenMs(l(22))).toBe(1000);
  });

  it('forgets the listeners gone longest once past its bound', () => {
    const seen = new ListenerFirstSeen(2);
    seen.observe([l(1)], 1000);
    seen.observe([l(2)], 2000);
    seen.observe([l(3)], 3000);
    expect(seen.size).toBe(2);
    expect(seen.firstSeenMs(l(1))).toBeNull();
    expect(seen.firstSeenMs(l(3))).toBe(3000);
  });
});

describe('parsePidParam', () => {
  it('takes a pid', () => expect(parsePidParam('4194304')).toBe(4194304));
  it.each(['0', '-1', '+1', '1.0', '1e3', '0x10', ' 1', '01', 'self', '..', '../1', '4194305', '9'.repeat(30), ''])('refuses %j with 400', (v) => {
    expect(() => parsePidParam(v)).toThrow(ApiError);
    try {
      parsePidParam(v);
    } catch (err) {
      expect((err as ApiError).status).toBe(400);
    }
  });
});

describe('parseFileQuery', () => {
  it('takes a file, a folder with or without a trailing slash, and the root', () => {
    expect(parseFileQuery('/var/log/', true)).toEqual({ path: '/var/log', under: true });
    expect(parseFileQuery('/etc/passwd', false)).toEqual({ path: '/etc/passwd', under: false });
    expect(parseFileQuery('/', true)).toEqual({ path: '/', under: true });
  });
  it.each([null, '', 'etc', '/a\0b', `/${'a'.repeat(5000)}`])('refuses path %j', (p) => {
    expect(() => parseFileQuery(p, false)).toThrow(ApiError);
  });
  it('takes 0/1 switches and nothing else', () => {
    expect(parseFlagParam(null, 'under')).toBe(false);
    expect(parseFlagParam('1', 'under')).toBe(true);
    expect(() => parseFlagParam('true', 'under')).toThrow(/under must be 0 or 1/);
  });
});

describe('the one-process gate', () => {
  const auth = (on: boolean) => () => on;
  it('is closed when the flag is off, whatever else', () => {
    expect(processViewRefusal({ enabled: false, loopback: true, authConfigured: auth(true) })).toMatch(/--web.ui.process-view/);
  });
  it('needs auth beyond loopback, not on it', () => {
    expect(processViewRefusal({ enabled: true, loopback: false, authConfigured: auth(false) })).toMatch(/needs basic auth/);
    expect(processViewRefusal({ enabled: true, loopback: false, authConfigured: auth(true) })).toBeNull();
    expect(processViewRefusal({ enabled: true, loopback: true, authConfigured: auth(false) })).toBeNull();
  });
  it.each([['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['localhost', true], ['', false], ['0.0.0.0', false], ['::', false], ['10.0.0.1', false], ['127.0.0.1.example', false]])('%j is loopback: %j', (host, want) => {
    expect(isLoopbackHost(host)).toBe(want);
  });
});

describe('flags', () => {
  it('are off by default', () => expect(parseConfig([]).ui).toEqual({ enable: false, processView: false }));
  it('turn on together', () => expect(parseConfig(['--web.ui.enable', '--web.ui.process-view']).ui).toEqual({ enable: true, processView: true }));
  it('refuse the process view without the page', () => expect(() => parseConfig(['--web.ui.process-view'])).toThrow(/needs --web.ui.enable/));
});

describe('procfs helpers', () => {
  it('reads Tgid and NSpid, and falls back to the pid without NSpid', () => {
    expect(parseStatusIds('Name:\tx\nTgid:\t40\nPid:\t41\nNSpid:\t41\t7\n', 41)).toEqual({ tgid: 40, nsPids: [41, 7] });
    expect(parseStatusIds('Tgid:\t5\n', 5)).toEqual({ tgid: 5, nsPids: [5] });
    expect(() => parseStatusIds('Name:\tx\n', 5)).toThrow(/no Tgid/);
  });
  it('picks the paths of the wanted unix sockets out of net/unix, in pieces of whole lines', () => {
    const table = [
      'Num       RefCount Protocol Flags    Type St Inode Path',
      'ffff0001: 00000002 00000000 00010000 0001 01 101 /run/a b.sock',
      'ffff0002: 00000002 00000000 00000000 0001 03 102',
      'ffff0003: 00000002 00000000 00000000 0001 03 103 @abstract',
      'ffff0004: 00000002 00000000 00000000 0001 03 104 /not/wanted',
      'garbage',
    ];
    const out = new Map<number, string>();
    const wanted = new Set([101, 102, 103, 999]);
    collectUnixPaths(`${table.slice(0, 3).join('\n')}\n`, wanted, out);
    collectUnixPaths(table.slice(3).join('\n'), wanted, out);
    expect(out).toEqual(new Map([[101, '/run/a b.sock'], [102, ''], [103, '@abstract']]));
  });

  it('names socket states as ss does', () => {
    expect(tcpStateName(0x0a)).toBe('LISTEN');
    expect(tcpStateName(0x01)).toBe('ESTAB');
    expect(tcpStateName(0x07)).toBe('UNCONN');
    expect(tcpStateName(0x42)).toBe('0x42');
  });
});

describe('CSV export', () => {
  it('quotes commas, quotes and newlines, and defuses formulas', () => {
    const csv = toCsv([{ a: 'x,"y"\nz', b: '=cmd|calc', c: 7, d: null }], [
      { label: 'A', value: (r) => r.a }, { label: 'B', value: (r) => r.b }, { label: 'C', value: (r) => r.c }, { label: 'D', value: (r) => r.d },
    ]);
    expect(csv).toBe('A,B,C,D\r\n"x,""y""\nz",\'=cmd|calc,7,\r\n');
  });
});

describe('the page', () => {
  // the compiled page (npm test builds first): what the exporter serves
  const built = (): Promise<typeof Assets> => import(new URL('../../dist/src/http/ui/assets.js', import.meta.url).href);

  it(`is within its size budget of ${UI_SIZE_BUDGET_BYTES / 1024} KiB (HTML, CSS and every script, uncompressed)`, async () => {
    const { loadUiAssets, uiSizeBytes } = await built();
    const assets = loadUiAssets();
    expect([...assets.keys()]).toEqual(expect.arrayContaining(['/ui', '/ui/app.css', '/ui/js/main.js', '/ui/js/table.js']));
    expect(uiSizeBytes(assets)).toBeLessThanOrEqual(UI_SIZE_BUDGET_BYTES);
  });

  it('never builds markup from strings', async () => {
    for (const [name, a] of (await built()).loadUiAssets()) if (name.startsWith('/ui/js/')) expect(a.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });
});
