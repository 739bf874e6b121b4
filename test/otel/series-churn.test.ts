/**
 * Series that come and go (pids, ports, paths) must leave the push as they leave /metrics, and must
 * not fill the SDK's per-instrument memory until new series fold into an overflow series. The push
 * runs in-process on the real SDK against a real receiver, with a view whose listeners change every
 * collection and a tiny --metrics.max-series so the series budget runs out within seconds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startOtlpPush, type OtlpPush } from '../../src/exporters/otel.js';
import { EMPTY_VIEW, type ExporterView } from '../../src/metrics/exporter-view.js';
import type { Sample } from '../../src/signals/family.js';
import { SIGNALS } from '../../src/signals/index.js';
import { listenerProcesses } from '../../src/signals/listeners.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { waitFor } from '../support/wait.js';

const PER_ROUND = 60;

function viewOfRound(round: number): ExporterView {
  const samples: Record<string, Sample[]> = Object.fromEntries(SIGNALS.flatMap((s) => Object.values(s.families)).map((f) => [f.name, []]));
  samples[listenerProcesses.name] = Array.from({ length: PER_ROUND }, (_, i) => ({
    labels: { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: String(10_000 + round * PER_ROUND + i), user: 'root', process: 'svc', executable: '', netns: '', container_id: '', container_runtime: '', pod_uid: '' },
    value: 1,
  }));
  return { ...EMPTY_VIEW, model: { samples, dropped: {}, health: {} }, scansSucceeded: round + 1 };
}

let receiver: OtlpReceiver;
let push: OtlpPush | undefined;

afterAll(async () => {
  await push?.shutdown().catch(() => {});
  await receiver?.stop();
});

describe('OTLP push with churning series', () => {
  it('sends exactly the current series every time, across SDK pipeline rebuilds', async () => {
    receiver = await startOtlpReceiver();
    let round = 0;
    const log = { warn: () => {}, info: () => {} };
    // maxSeries 1: a budget of 101 series per collection and a cardinality limit of 404 per instrument.
    push = startOtlpPush(() => viewOfRound(round), { endpoint: `http://127.0.0.1:${receiver.port}/v1/metrics`, protocol: 'http/protobuf', intervalMs: 150, timeoutMs: 150 }, { maxSeries: 1, signals: SIGNALS }, log);
    const timer = setInterval(() => round++, 200);
    try {
      // 12 rounds of 60 new ports: 720 distinct series, beyond the 404 one SDK pipeline may hold.
      await waitFor(() => round >= 12 && receiver.exports.length > 12, 'twelve rounds of churn', 30_000);
    } finally {
      clearInterval(timer);
    }
    const instanceIds = new Set<unknown>();
    let seenPorts = 0;
    for (const e of receiver.exports) {
      instanceIds.add(e.resource['service.instance.id']);
      const listeners = e.points.filter((p) => p.metric === 'lsof.listener.processes');
      if (listeners.length === 0) continue; // a retired pipeline's last export carries nothing
      expect(listeners.some((p) => 'otel.metric.overflow' in p.attributes)).toBe(false);
      // One round's block of ports, whole, and nothing from earlier rounds.
      const ports = listeners.map((p) => Number(p.attributes['network.local.port'])).sort((a, b) => a - b);
      expect(ports).toHaveLength(PER_ROUND);
      expect((ports[0]! - 10_000) % PER_ROUND).toBe(0);
      expect(ports.at(-1)! - ports[0]!).toBe(PER_ROUND - 1);
      seenPorts = Math.max(seenPorts, ports.at(-1)!);
    }
    expect(seenPorts - 10_000).toBeGreaterThan(404);
    expect(instanceIds.size).toBe(1);
  });
});
