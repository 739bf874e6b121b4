/**
 * The JSON API under /api/v1/ against the built exporter on the real /proc, with known processes
 * (a listener named with markup, a deleted file, a node listener): every route, its bad input, the
 * one-process view's gate, and the flags that keep all of it off by default.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_JS, spawnListeningExporter, startExporter, stopChild, type RunningExporter } from '../support/exporter-process.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { DELETED_NAME, DELETED_SIZE, HOSTILE_COMM, HOSTILE_EXE_TEXT, startUiChildren, type UiChildren } from '../support/ui-children.js';

let children: UiChildren;
let exporter: RunningExporter;

interface Json {
  [k: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function get(p: string, init?: RequestInit): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${exporter.url}${p}`, init);
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Json) : { text }, headers: res.headers };
}

/** The listeners table once the scan has seen `port`. */
async function listenerOn(port: number): Promise<Json> {
  return waitFor(async () => (await get('/api/v1/listeners')).body.rows?.find((l: Json) => l.port === port), `listener on ${port}`, 30_000);
}

beforeAll(async () => {
  children = await startUiChildren();
  exporter = await startExporter(['--web.ui.enable', '--web.ui.process-view'], { firstScanTimeoutMs: 100_000 });
});

afterAll(async () => {
  await exporter?.stop();
  await children?.stop();
});

describe('scan tables', () => {
  it('lists a listener with its holder, named exactly as the kernel names it, and since when it is seen', async () => {
    const l = await listenerOn(children.hostile.port);
    expect(l).toMatchObject({ protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', netns: '', holderCount: 1 });
    expect(l.holders[0]).toMatchObject({ pid: children.hostile.pid, process: HOSTILE_COMM, user: 'root' });
    expect(l.holders[0].executable.endsWith(HOSTILE_EXE_TEXT)).toBe(true);
    expect(Date.parse(l.firstSeenAt)).toBeLessThanOrEqual(Date.now());
    expect(l.newSinceStart).toBe(false); // it was there in the exporter's first scan
  });

  it('marks a listener that appeared after the first scan as new', async () => {
    const late = await (await import('../support/children.js')).startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    try {
      const l = await listenerOn(late.port);
      expect(l.newSinceStart).toBe(true);
      expect(Date.parse(l.firstSeenAt)).toBeGreaterThan(Date.parse((await get('/api/v1/listeners')).body.exporterStartedAt));
    } finally {
      await late.stop();
    }
  });

  it('says when its rows are from', async () => {
    const { status, body, headers } = await get('/api/v1/listeners');
    expect(status).toBe(200);
    expect(Date.now() - Date.parse(body.asOf)).toBeLessThan(60_000);
    expect(body.scanDurationSeconds).toBeGreaterThan(0);
    expect(body.truncated).toBe(0);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.get('cache-control')).toBe('no-store');
  });

  it('lists the deleted file with its size, the disk it pins and its holder', async () => {
    const f = await waitFor(async () => (await get('/api/v1/deleted-files')).body.rows.find((r: Json) => r.path === children.deletedPath), 'the deleted file');
    expect(f.sizeBytes).toBe(DELETED_SIZE);
    expect(f.allocatedBytes).toBeGreaterThanOrEqual(DELETED_SIZE);
    expect(f.holders).toEqual([expect.objectContaining({ pid: children.deletedHolder.pid, fd: expect.any(Number) })]);
  });

  it('groups processes by user and executable with descriptor counts by type and the fd-limit ratio', async () => {
    const g = await waitFor(async () => (await get('/api/v1/processes')).body.rows.find((r: Json) => r.pids.includes(children.hostile.pid)), 'the group');
    expect(g).toMatchObject({ user: 'root', processNames: [HOSTILE_COMM], processCount: 1 });
    expect(g.fdTypes.socket_tcp).toBe(1);
    expect(g.fdCount).toBeGreaterThanOrEqual(4);
    expect(g.fdLimitRatioMax).toBeGreaterThan(0);
    expect(g.fdLimitRatioPid).toBe(children.hostile.pid);
    expect(g.signals).toBeUndefined();
  });
});

describe('one process, read live', () => {
  it('lists every descriptor, the listening socket with its address, port and state', async () => {
    const { status, body } = await get(`/api/v1/processes/${children.hostile.pid}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ pid: children.hostile.pid, process: HOSTILE_COMM, user: 'root', netns: '' });
    expect(body.executable.endsWith(HOSTILE_EXE_TEXT)).toBe(true);
    expect(body.fdCount).toBe(body.descriptors.length);
    const sock = body.descriptors.find((d: Json) => d.type === 'socket_tcp');
    expect(sock.socket).toEqual({ protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort: children.hostile.port, remoteAddress: '0.0.0.0', remotePort: 0, state: 'LISTEN' });
    expect(body.descriptors.map((d: Json) => d.fd)).toEqual(expect.arrayContaining([0, 1, 2]));
  });

  it('types unix sockets, and names their paths when asked', async () => {
    const sockPath = `${children.dir}/ui test.sock`;
    const server = net.createServer().listen(sockPath);
    await new Promise((r) => server.once('listening', r));
    try {
      const plain = (await get(`/api/v1/processes/${process.pid}`)).body.descriptors.filter((d: Json) => d.type === 'socket_unix');
      expect(plain.length).toBeGreaterThan(0);
      const named = (await get(`/api/v1/processes/${process.pid}?unixPaths=1`)).body.descriptors;
      expect(named.find((d: Json) => d.unixPath === sockPath)).toMatchObject({ type: 'socket_unix' });
      expect((await get(`/api/v1/processes/${process.pid}?unixPaths=yes`)).status).toBe(400);
    } finally {
      server.close();
    }
  });

  it('shows a deleted file as deleted, under its name', async () => {
    const { body } = await get(`/api/v1/processes/${children.deletedHolder.pid}`);
    const held = body.descriptors.find((d: Json) => d.deleted);
    expect(held).toMatchObject({ type: 'file', target: children.deletedPath, deleted: true });
    expect(held.target.endsWith(DELETED_NAME)).toBe(true);
  });

  it('shows an established connection with both ends', async () => {
    const conn = await new Promise<net.Socket>((resolve) => {
      const s = net.connect(children.node.port, '127.0.0.1', () => resolve(s));
    });
    try {
      const { body } = await get(`/api/v1/processes/${process.pid}`);
      const mine = body.descriptors.find((d: Json) => d.socket?.remotePort === children.node.port);
      expect(mine.socket).toMatchObject({ localAddress: '127.0.0.1', localPort: conn.localPort, remoteAddress: '127.0.0.1', state: 'ESTAB' });
    } finally {
      conn.destroy();
    }
  });

  it.each([
    ['a pid that does not exist', '4194303', 404, /no process 4194303/],
    ['a pid past the kernel limit', '4194305', 400, /from 1 to 4194304/],
    ['a huge number', '99999999999999999999', 400, /whole number/],
    ['zero', '0', 400, /whole number/],
    ['a negative number', '-1', 400, /whole number/],
    ['an exponent', '1e3', 400, /whole number/],
    ['"self" (a procfs link to the exporter)', 'self', 400, /whole number/],
    ['a climb out of the procfs', '..%2F..%2Fetc%2Fpasswd', 400, /whole number/],
    ['a leading zero', '01', 400, /whole number/],
  ])('refuses %s with a clear 4xx', async (_what, pid, status, message) => {
    const res = await get(`/api/v1/processes/${pid}`);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
  });

  it('refuses a thread id: it is not a process', async () => {
    const tids = fs.readdirSync(`/proc/${process.pid}/task`).map(Number).filter((t) => t !== process.pid);
    const res = await get(`/api/v1/processes/${tids[0]}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe(`${tids[0]} is a thread of process ${process.pid}, not a process`);
  });
});

describe('who holds a file', () => {
  it('finds the holder of a file, and of anything under a folder (lsof FILE, lsof +D)', async () => {
    const exact = await get(`/api/v1/files?path=${encodeURIComponent(children.deletedPath)}`);
    expect(exact.status).toBe(200);
    expect(exact.body.rows).toEqual([expect.objectContaining({ pid: children.deletedHolder.pid, path: `${children.deletedPath} (deleted)`, deleted: true })]);
    // through the last scan's open-path index, as of that scan
    expect(exact.body.index.processesIndexed).toBeGreaterThan(0);
    expect(Date.parse(exact.body.index.asOf)).toBeLessThanOrEqual(Date.parse(exact.body.readAt));
    const under = await get(`/api/v1/files?path=${encodeURIComponent(children.dir)}/&under=1`);
    const pids = under.body.rows.map((r: Json) => r.pid);
    expect(pids).toEqual(expect.arrayContaining([children.deletedHolder.pid, children.hostile.pid])); // the hostile one by its executable
    expect(under.body.rows.find((r: Json) => r.pid === children.hostile.pid).fd).toBe('txt');
    expect(under.body.processesSearched).toBeGreaterThan(3);
  });

  it.each([
    ['no path', '', /path is required/],
    ['a relative path', '?path=etc/passwd', /must be absolute/],
    ['a bad under', '?path=/etc&under=yes', /under must be 0 or 1/],
    ['a NUL byte', '?path=/etc%00x', /without NUL/],
  ])('refuses %s with 400', async (_what, query, message) => {
    const res = await get(`/api/v1/files${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
  });
});

describe('the rest of the surface', () => {
  it('answers other methods with 405 and unknown API paths with 404, in JSON', async () => {
    const post = await get('/api/v1/listeners', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const unknown = await get('/api/v1/sockets');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/no such API path/);
  });

  it('serves the page and its assets with a strict Content-Security-Policy, linked from /', async () => {
    const page = await fetch(`${exporter.url}/ui`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/); // nothing inline for the CSP to allow
    expect(await (await fetch(`${exporter.url}/`)).text()).toContain('href="/ui"');
    expect((await fetch(`${exporter.url}/ui/js/main.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${exporter.url}/ui/js/..%2f..%2fmain.js`)).status).toBe(404);
    expect((await fetch(`${exporter.url}/ui/js/main.js.map`)).status).toBe(404);
  });

  it('status says whether the one-process view is served', async () => {
    expect((await get('/api/v1/status')).body).toEqual({ processView: { enabled: true, reason: null } });
  });
});

describe('flags', () => {
  it('serves neither the page nor the API by default', async () => {
    const plain = await startExporter([], { firstScanTimeoutMs: 100_000 });
    try {
      for (const p of ['/ui', '/api/v1/listeners', '/api/v1/processes/1']) expect((await fetch(`${plain.url}${p}`)).status).toBe(404);
      expect(await (await fetch(`${plain.url}/`)).text()).not.toContain('/ui');
    } finally {
      await plain.stop();
    }
  });

  it('refuses the one-process view with 403 and a reason when its flag is off', async () => {
    const ui = await startExporter(['--web.ui.enable'], { firstScanTimeoutMs: 100_000 });
    try {
      for (const p of [`/api/v1/processes/${process.pid}`, '/api/v1/files?path=/etc']) {
        const res = await fetch(`${ui.url}${p}`);
        expect(res.status).toBe(403);
        expect(((await res.json()) as Json).error).toMatch(/one-process view is off; start the exporter with --web.ui.process-view/);
      }
      expect((await fetch(`${ui.url}/api/v1/listeners`)).status).toBe(200);
    } finally {
      await ui.stop();
    }
  });

  it('refuses the one-process view on a non-loopback address without auth, and serves it with auth', async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-ui-auth-'));
    const noAuth = await spawnListeningExporter([`--web.listen-address=:${port}`, '--web.ui.enable', '--web.ui.process-view']);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/processes/${process.pid}`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as Json).error).toMatch(/non-loopback listen address it needs basic auth/);
      expect(noAuth.logs()).toMatch(/process-view is refused \(403\) until basic_auth_users are set/);
    } finally {
      await stopChild(noAuth.child);
    }
    const config = path.join(dir, 'web.yml');
    fs.writeFileSync(config, `basic_auth_users:\n  alice: ${bcrypt.hashSync('alice-secret', 4)}\n`);
    const withAuth = await spawnListeningExporter([`--web.listen-address=:${port}`, `--web.config.file=${config}`, '--web.ui.enable', '--web.ui.process-view']);
    try {
      const url = `http://127.0.0.1:${port}/api/v1/processes/${process.pid}`;
      expect((await fetch(url)).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('alice:alice-secret').toString('base64')}` } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as Json).pid).toBe(process.pid);
    } finally {
      await stopChild(withAuth.child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a pid of another pid namespace: an exporter whose procfs is its own namespace answers 404, reading nothing of the host', async () => {
    const port = await freePort();
    // its own pid namespace and /proc mount: the host's pids are not in its procfs
    const child = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, MAIN_JS, `--web.listen-address=127.0.0.1:${port}`, '--web.ui.enable', '--web.ui.process-view'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = `http://127.0.0.1:${port}/api/v1/processes/${process.pid}`;
      const res = await waitFor(async () => fetch(url), 'the namespaced exporter', 30_000);
      expect(res.status).toBe(404);
      expect(((await res.json()) as Json).error).toBe(`no process ${process.pid} in /proc`);
    } finally {
      // unshare's own pid; --kill-child ends the exporter (the namespace's init) with it
      await stopChild(child);
    }
  });

  it('--web.ui.process-view without --web.ui.enable is a startup error', () => {
    expect(() => execFileSync(process.execPath, [MAIN_JS, '--web.ui.process-view'], { stdio: 'pipe' })).toThrow(/--web.ui.process-view: needs --web.ui.enable/);
  });
});
