/**
 * The package as npm ships it: `npm pack` of this checkout (its prepack builds and writes REVISION),
 * installed from the tarball into an empty folder, then run from there: `--once`, and a scrape of
 * the installed copy serving /metrics. The native addon is built by the tarball's install script when
 * a C toolchain is present (CI installs one), else cleanly absent.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { NODE_COMM, startNodeListener } from '../support/children.js';
import { samplesOf } from '../support/exposition.js';
import { stopChild } from '../support/exporter-process.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const TOOLCHAIN = ['python3', 'make', 'g++'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);

/** npm as a user runs it: the node under test first on PATH, none of the npm_* variables of an enclosing `npm test`. */
function npmEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, PATH: `${path.dirname(process.execPath)}:${env.PATH ?? ''}` };
}

function npm(cwd: string, args: string[]): string {
  return execFileSync('npm', args, { cwd, env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
}

describe('npm pack, installed from the tarball', () => {
  let tmp: string;
  let app: string;
  let installed: string;
  let files: string[];
  let installLog: string;
  let exporter: ChildProcess | undefined;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-pack-'));
    const [packed] = JSON.parse(npm(ROOT, ['pack', '--json', '--pack-destination', tmp])) as { filename: string; files: { path: string }[] }[];
    files = packed!.files.map((f) => f.path);
    app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    // --prefer-offline: the dependencies come from npm's cache (filled by npm ci) where it has them.
    const r = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', path.join(tmp, packed!.filename)], {
      cwd: app, env: npmEnv(), encoding: 'utf8', timeout: 240_000,
    });
    installLog = `${r.stdout}${r.stderr}`;
    if (r.status !== 0) throw new Error(`npm install of the tarball exited ${r.status}: ${installLog}`);
    installed = path.join(app, 'node_modules', PKG.name);
  }, 300_000);
  afterAll(async () => {
    if (exporter) await stopChild(exporter);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ships the exporter, its native sources and the operator files, and no tests, bench, CI or sources', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/src/main.js', 'native/procfs_fast.c', 'native/build.mjs', 'REVISION', 'alerts/lsof-exporter.rules.yml', 'README.md']));
    expect(files.filter((f) => /^(test|bench|scripts|src|\.ci)\/|\.map$|^dist\/(bench|alerts|dashboards)\//.test(f))).toEqual([]);
    // What matters is what is left out (above); the count only guards against a forgotten pattern.
    expect(files.length).toBeLessThan(250);
    expect(files).toEqual(expect.arrayContaining(['native/sock_diag.c', 'alerts/expected-executables.rules.yml', 'alerts/lsof-exporter-history.rules.yml']));
    expect(files.filter((f) => f.endsWith('.png'))).toEqual([]);
    expect(fs.existsSync(path.join(ROOT, 'REVISION')), 'postpack removes REVISION from the checkout').toBe(false);
  });

  it('builds the native addon at install when a C toolchain is there, else says why and goes on', () => {
    const addon = path.join(installed, 'native/build/Release/lsof_native.node');
    if (TOOLCHAIN) {
      expect(installLog).toMatch(new RegExp(`built native/build/Release/lsof_native.node for node ${process.version.replace(/\./g, '\\.')}`));
      expect(fs.existsSync(addon)).toBe(true);
    } else {
      expect(installLog).toMatch(/lsof-exporter native: not built \(.*\); using the TypeScript path/);
      expect(fs.existsSync(addon)).toBe(false);
    }
  });

  it('runs --once from the installed bin, listing a listener of this test', async () => {
    const child = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    try {
      const out = execFileSync(path.join(app, 'node_modules/.bin/lsof-exporter'), ['--once'], { env: npmEnv(), encoding: 'utf8', timeout: 120_000 });
      expect(out.split('\n')).toContain(`${NODE_COMM}/${os.userInfo().username}/127.0.0.1:${child.port}`);
    } finally {
      await child.stop();
    }
  });

  it('serves /metrics from the installed copy, with its version, revision and scan path', async () => {
    // A listener of this test, open before the exporter starts, so its first scan lists one even
    // when no other test listens at that moment (the exporter's own port may open after that scan).
    const listener = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    onTestFinished(() => listener.stop());
    const port = await freePort();
    exporter = spawn(process.execPath, [path.join(installed, 'dist/src/main.js'), `--web.listen-address=127.0.0.1:${port}`, '--scan.interval=1s'], { stdio: 'ignore' });
    const text = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      const body = res?.ok ? await res.text() : '';
      return /^lsof_scans_total\{result="success"\} [1-9]/m.test(body) ? body : undefined;
    }, 'a scrape after the first scan of the installed exporter', 60_000, 250);
    expect(samplesOf(text, 'lsof_exporter_build_info')[0]?.labels).toEqual({
      version: PKG.version,
      revision: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
      nodejs_version: process.version,
    });
    expect(samplesOf(text, 'lsof_scan_native_fast_path')[0]?.value).toBe(TOOLCHAIN ? 1 : 0);
    expect(samplesOf(text, 'lsof_listener_processes').map((x) => x.labels.port)).toContain(String(listener.port));
  });
});
