/**
 * The /metrics body's caching (createExposition): the signals' families are rendered once per model,
 * the exporter's own once per view. A listener poll replaces the view but not the model, so it must
 * update the poll counter without re-reading every signal family; a new model must show at once.
 * The exposition must equal prom-client's rendering of all families together (createRegistry).
 */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createExposition, createRegistry } from '../../src/exporters/prometheus.js';
import type { ExporterView } from '../../src/metrics/exporter-view.js';
import type { Model } from '../../src/model/model.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { Scanner } from '../../src/scan/scanner.js';
import { SIGNALS } from '../../src/signals/index.js';
import { samplesOf } from '../support/exposition.js';
import { modelOf, TEST_MODEL_OPTIONS, viewOf } from '../support/scan-view.js';

/** The model with its samples' reads counted: each signal family's collect() reads samples once. */
function counted(model: Model): { model: Model; reads: () => number } {
  let reads = 0;
  const samples = new Proxy(model.samples, {
    get(target, key, receiver) {
      reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { model: { ...model, samples }, reads: () => reads };
}

describe('createExposition', () => {
  const context = new Scanner(ProcFs.at('/proc')).scan();
  const opts = { signals: SIGNALS, groupBy: TEST_MODEL_OPTIONS.groupBy, runtimeMetrics: false };

  it('renders the same text as every family in one registry', async () => {
    const view = viewOf(context, modelOf(context));
    expect(await createExposition(() => view, opts).metrics()).toBe(await createRegistry(() => view, opts).metrics());
  });

  it('re-renders the signal families for a new model only, and the exporter families for every view', async () => {
    const first = counted(modelOf(context));
    let view: ExporterView = viewOf(context, first.model);
    const exposition = createExposition(() => view, opts);
    await exposition.metrics();
    const readsPerRender = first.reads();
    expect(readsPerRender).toBeGreaterThan(0);

    // A listener poll: a new view, the same model.
    view = { ...view, listenerPolls: 7 };
    const afterPoll = await exposition.metrics();
    expect(samplesOf(afterPoll, 'lsof_listener_polls_total')[0]!.value).toBe(7);
    expect(first.reads()).toBe(readsPerRender);

    // A scan: a new model, whose samples show at once.
    const second = counted(modelOf(context, { groupBy: ['user'] }));
    view = { ...view, model: second.model };
    const afterScan = await exposition.metrics();
    expect(second.reads()).toBe(readsPerRender);
    expect(afterScan).toBe(await createRegistry(() => view, opts).metrics());
  });

  it('serves the same body gzipped, its head compressed once per model, with what follows it', async () => {
    const first = counted(modelOf(context));
    let view: ExporterView = viewOf(context, first.model);
    let appended = 0;
    const exposition = createExposition(() => view, opts).followedBy(async () => `# appended ${++appended}\n`);
    expect(zlib.gunzipSync(await exposition.gzipped()).toString('utf8')).toBe(`${await createRegistry(() => view, opts).metrics()}# appended 1\n`);
    const readsPerRender = first.reads() / 2;
    view = { ...view, listenerPolls: 9 };
    const afterPoll = zlib.gunzipSync(await exposition.gzipped()).toString('utf8');
    expect(samplesOf(afterPoll, 'lsof_listener_polls_total')[0]!.value).toBe(9);
    expect(afterPoll.endsWith('# appended 2\n')).toBe(true);
    expect(first.reads()).toBe(readsPerRender * 2); // the model was not read again for the poll
    expect(await exposition.metrics()).toBe(afterPoll.replace('# appended 2', '# appended 3'));
  });

  it('renders a new model ahead of the scrape when told one arrived, once', async () => {
    const first = counted(modelOf(context));
    const view: ExporterView = viewOf(context, first.model);
    const exposition = createExposition(() => view, opts);
    exposition.prerender();
    await new Promise((r) => setImmediate(r));
    const readsPerRender = first.reads();
    expect(readsPerRender).toBeGreaterThan(0);
    expect(await exposition.metrics()).toBe(await createRegistry(() => view, opts).metrics());
    exposition.prerender();
    expect(first.reads()).toBe(readsPerRender * 2); // the registry above read once; the exposition did not again
  });
});
