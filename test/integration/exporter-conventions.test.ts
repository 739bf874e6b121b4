/**
 * node_exporter / exporter-toolkit conventions, on the built exporter: --web.disable-exporter-metrics
 * drops the runtime families, --web.max-requests=0 is no limit, build_info carries the revision.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyNames, samplesOf } from '../support/exposition.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNTIME = /^(process|nodejs)_/;

describe('exporter conventions', () => {
  let plain: RunningExporter;
  let lean: RunningExporter;
  beforeAll(async () => {
    plain = await startExporter([]);
    lean = await startExporter(['--web.disable-exporter-metrics', '--web.max-requests=0']);
  }, 120_000);
  afterAll(async () => {
    await plain?.stop();
    await lean?.stop();
  });

  it('serves the process_* and nodejs_* runtime families by default', async () => {
    const names = familyNames(await plain.metrics());
    expect(names).toContain('process_resident_memory_bytes');
    expect(names).toContain('nodejs_heap_size_used_bytes');
  });

  it('with --web.disable-exporter-metrics serves the lsof_* families and no runtime family', async () => {
    const names = familyNames(await lean.metrics());
    expect(names.filter((n) => RUNTIME.test(n))).toEqual([]);
    expect(names.filter((n) => !RUNTIME.test(n))).toEqual(familyNames(await plain.metrics()).filter((n) => !RUNTIME.test(n)));
  });

  it('with --web.max-requests=0 answers every scrape of a burst with 200', async () => {
    const statuses = new Set<number>();
    for (let burst = 0; burst < 10; burst++) {
      const answers = await Promise.all(Array.from({ length: 16 }, () => fetch(`${lean.url}/metrics`).then(async (r) => (await r.arrayBuffer(), r.status))));
      for (const s of answers) statuses.add(s);
    }
    expect([...statuses]).toEqual([200]);
  });

  it('labels lsof_exporter_build_info with the checkout\'s commit', async () => {
    const [info] = samplesOf(await plain.metrics(), 'lsof_exporter_build_info');
    expect(info?.labels).toMatchObject({
      revision: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
      nodejs_version: process.version,
    });
  });
});
