/** The command line as an operator meets it: help, version, bad flags, busy port, --once, routes. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_JS, startExporter, type RunningExporter } from '../support/exporter-process.js';
import { NODE_COMM, startNodeListener, type HeldChild } from '../support/children.js';
import { freePort } from '../support/ports.js';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN_JS, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('command line', () => {
  it('--help lists every flag and exits 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--web.listen-address', '--web.telemetry-path', '--web.config.file', '--path.procfs', '--path.rootfs', '--scan.interval', '--log.level', '--log.format', '--once', '--deleted.top', '--metrics.max-series', '--group.by']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('(default: ":10411")');
  });

  it('-h prints the same help as --help and exits 0', () => {
    const r = run(['-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(run(['--help']).stdout);
    expect(r.stdout).toContain('-h, --help');
    expect(r.stdout).toContain('--web.disable-exporter-metrics');
  });

  it('--version prints the version and the node running it', () => {
    const r = run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`lsof-exporter ${JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version} (node ${process.version})\n`);
  });

  it.each([
    [['--no-such-flag'], /^lsof-exporter: unknown flag --no-such-flag \(see --help\)\n$/],
    [['--scan.interval=soon'], /^lsof-exporter: --scan\.interval: invalid duration "soon"/],
    [['--log.level=chatty'], /^lsof-exporter: --log\.level: want one of/],
    [['--path.procfs=/tmp'], /^lsof-exporter: --path\.procfs: \/tmp is not a procfs mount/],
    [['--path.procfs=/does/not/exist'], /^lsof-exporter: --path\.procfs: cannot read \/does\/not\/exist: ENOENT/],
    [['--scan.interval=5s', '--scan.interval=1s'], /^lsof-exporter: --scan\.interval: given more than once \(each flag takes one value\)\n$/],
    [['--watch.path=var/www'], /^lsof-exporter: --watch\.path: must be an absolute path, got "var\/www"\n$/],
    [['--watch.path=/etc/shadow', '--watch.path=/etc/shadow'], /^lsof-exporter: --watch\.path: "\/etc\/shadow" given twice\n$/],
  ])('%j exits 2 with one line naming the flag', (args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('a busy port gives one clear line and exit 1', async () => {
    const port = await freePort();
    const blocker = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const r = run([`--web.listen-address=127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`lsof-exporter: cannot listen on 127.0.0.1:${port}: address already in use (--web.listen-address)\n`);
    } finally {
      blocker.close();
    }
  });

  describe('--once', () => {
    let child: HeldChild;
    beforeAll(async () => {
      child = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    });
    afterAll(() => child.stop());

    it('prints listeners as process/user/address:port, sorted and unique', () => {
      const r = run(['--once']);
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toContain(`${NODE_COMM}/root/127.0.0.1:${child.port}`);
      expect([...lines].sort()).toEqual(lines);
      expect(new Set(lines).size).toBe(lines.length);
      for (const l of lines) expect(l).toMatch(/^[^/]*\/[^/]+\/(\[[0-9a-f:.]+\]|[0-9.]+):\d+( \(udp\))?$/);
    });
  });
});

describe('HTTP routes', () => {
  let exporter: RunningExporter;
  beforeAll(async () => {
    exporter = await startExporter();
  });
  afterAll(() => exporter.stop());

  it('GET / links the metrics and health pages', async () => {
    const res = await fetch(`${exporter.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/metrics"');
    expect(html).toContain('href="/healthz"');
  });

  it('GET /healthz is ok after a scan', async () => {
    const res = await fetch(`${exporter.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('refuses other methods and paths without banners or stack traces', async () => {
    const post = await fetch(`${exporter.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const missing = await fetch(`${exporter.url}/debug/pprof`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('not found\n');
    for (const res of [post, missing]) {
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('server')).toBeNull();
    }
  });

  it('serves the exposition with the Prometheus content type', async () => {
    const res = await fetch(`${exporter.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
