/**
 * The exporter runs with a small V8 young generation on its main thread (--max-semi-space-size=1) and
 * an old generation that grows by 10% at a time, not V8's default factor (--heap-growing-percent=10),
 * and V8's memory-over-speed heuristics (--optimize-for-size: old generations grow in 2 MiB steps, not
 * 8, and less optimized code is kept), one V8 background thread (--v8-pool-size=1: each thread keeps a
 * malloc arena of its own) and no Maglev tier (--no-maglev, on Nodes 22 and later; Node 20 does not
 * run it): README "Cost". Node takes these only on its command line, so
 * every way this project starts the exporter must pass them. The scan worker's
 * young generation is set in code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FLAGS = ['--max-semi-space-size=1', '--heap-growing-percent=10', '--optimize-for-size', '--v8-pool-size=1', '--no-maglev'];
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('every launcher starts node with the main-thread heap flag', () => {
  const launchers: [string, RegExp][] = [
    ['deploy/systemd/lsof-exporter.service', /^ExecStart=\/usr\/bin\/node (.*) \/opt\/lsof-exporter\/dist\/src\/main\.js/m],
    ['deploy/docker/Dockerfile', /^ENTRYPOINT \["\/nodejs\/bin\/node", (.*), "\/app\/dist\/src\/main\.js"\]/m],
    ['scripts/start', /^exec node (.*) dist\/src\/main\.js/m],
    ['src/main.ts', /^#!\/usr\/bin\/env -S node (.*)$/m],
    ['bench/exporter-bench.ts', /^const MAIN_THREAD_FLAGS = \[(.*)\];$/m],
  ];
  it.each(launchers)('%s', (file, pattern) => {
    const flags = pattern.exec(read(file))?.[1]?.split(/,? /).map((f) => f.replace(/^["']|["']$/g, ''));
    expect(flags, file).toEqual(FLAGS);
  });

  it('package.json start', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${FLAGS.join(' ')} dist/src/main.js`);
  });
});
