/**
 * deploy/docker: no Docker engine here, so the image cannot be built. The Dockerfile is linted with
 * dockerfilelint (npm; hadolint is neither a Debian nor an npm package), its key properties are
 * checked (multi-stage, distroless runtime without RUN, numeric non-root USER, exec-form HEALTHCHECK
 * and ENTRYPOINT, every COPY source present and not ignored), and the healthcheck script is run for real.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { freePort } from '../support/ports.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCKERFILE = path.join(ROOT, 'deploy/docker/Dockerfile');
const HEALTHCHECK = path.join(ROOT, 'deploy/docker/healthcheck.mjs');

/** Debian codenames of the node image tags, by release number as distroless names them. */
const DEBIAN_RELEASES: Record<string, string> = { bookworm: '12', trixie: '13' };

/** The Node major versions scripts/test runs the whole suite on besides the machine's (scripts/node-lts). */
function testedLtsMajors(): number[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts/node-lts/package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.values(pkg.dependencies).map((spec) => Number(/@(\d+)\./.exec(spec)![1]));
}

interface Instruction {
  op: string;
  args: string;
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of each stage, split at FROM. */
function stages(list: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of list) {
    if (i.op === 'FROM') out.push([]);
    out[out.length - 1]!.push(i);
  }
  return out;
}

describe('Dockerfile', () => {
  const list = instructions(fs.readFileSync(DOCKERFILE, 'utf8'));
  const [build, runtime] = stages(list);

  it('passes dockerfilelint', () => {
    const r = spawnSync(path.join(ROOT, 'node_modules/.bin/dockerfilelint'), ['--json', DOCKERFILE], { encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as { files: { issues_count: number; issues: unknown[] }[] };
    expect(report.files[0]!.issues).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('builds and runs on one Node LTS line the suite is tested on, one Debian release, the runtime distroless with no RUN', () => {
    expect(stages(list)).toHaveLength(2);
    const buildImage = /^node:(\d+)-(\w+)-slim AS build$/.exec(build![0]!.args);
    const runtimeImage = /^gcr\.io\/distroless\/nodejs(\d+)-debian(\d+):nonroot$/.exec(runtime![0]!.args);
    expect(buildImage, build![0]!.args).not.toBeNull();
    expect(runtimeImage, runtime![0]!.args).not.toBeNull();
    expect(buildImage![1]).toBe(runtimeImage![1]);
    // The native addon is built against the build stage's glibc: the runtime must be the same Debian.
    expect(DEBIAN_RELEASES[buildImage![2]!]).toBe(runtimeImage![2]);
    expect(testedLtsMajors()).toContain(Number(buildImage![1]));
    expect(Number(buildImage![1]) % 2, 'LTS lines are even').toBe(0);
    expect(runtime!.filter((i) => i.op === 'RUN')).toEqual([]);
  });

  it('writes the REVISION build argument next to package.json for build_info', () => {
    expect(build!.map((i) => `${i.op} ${i.args}`)).toEqual(expect.arrayContaining(['ARG REVISION=unknown', `RUN printf '%s\\n' "$REVISION" > REVISION`]));
    expect(runtime!.filter((i) => i.op === 'COPY').map((i) => i.args)).toContain('--from=build /src/package.json /src/REVISION ./');
  });

  it('builds the native fast path in the build stage and ships it', () => {
    const run = build!.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(run).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(run).toContain('test -f native/build/Release/lsof_native.node'); // a failed build fails the image
    const copied = runtime!.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copied).toContain('--from=build /src/native/build/Release/lsof_native.node ./native/build/Release/lsof_native.node');
  });

  it('runs as a numeric non-root user with exec-form entrypoint and healthcheck', () => {
    const user = runtime!.filter((i) => i.op === 'USER').at(-1)!.args;
    expect(user).toMatch(/^\d+:\d+$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    const entry = JSON.parse(runtime!.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
    expect(entry).toEqual(['/nodejs/bin/node', '--max-semi-space-size=1', '--heap-growing-percent=10', '--optimize-for-size', '--v8-pool-size=1', '--no-maglev', '/app/dist/src/main.js']);
    const health = runtime!.find((i) => i.op === 'HEALTHCHECK')!.args;
    const exec = JSON.parse(health.slice(health.indexOf('CMD ') + 4)) as string[];
    expect(exec).toEqual(['/nodejs/bin/node', '/app/healthcheck.mjs']);
    expect(runtime!.find((i) => i.op === 'EXPOSE')!.args).toBe('10411');
  });

  it('copies only sources that exist and that .dockerignore keeps in the context', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist']));
    const sources = list.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const src of sources) {
      expect(fs.existsSync(path.join(ROOT, src)), src).toBe(true);
      expect(ignored.some((p) => src === p || src.startsWith(`${p}/`)), src).toBe(false);
    }
  });
});

describe('healthcheck script', () => {
  let exporter: RunningExporter;
  beforeAll(async () => {
    exporter = await startExporter([], { firstScanTimeoutMs: 100_000 }); // /healthz is 200 only after a scan
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  const run = (url: string) => spawnSync(process.execPath, [HEALTHCHECK], { env: { ...process.env, LSOF_EXPORTER_HEALTHCHECK_URL: url }, encoding: 'utf8', timeout: 15_000 });

  it('exits 0 while the exporter is healthy', () => {
    expect(run(`${exporter.url}/healthz`).status).toBe(0);
  });

  it('exits 1 when nothing answers or the answer is not 200', async () => {
    const closed = run(`http://127.0.0.1:${await freePort()}/healthz`);
    expect(closed.status).toBe(1);
    expect(closed.stderr).toMatch(/^healthcheck: /);
    expect(run(`${exporter.url}/nothing-here`).status).toBe(1);
  });
});
