/**
 * Main-thread side of the scan worker: keeps the latest ExporterView, replacing it whole when a
 * snapshot arrives, so /metrics never waits for a scan and never sees half of one. A worker that
 * dies is counted as a failed scan, logged, and restarted after a pause.
 */
import { Worker } from 'node:worker_threads';
import { EMPTY_VIEW, type ExporterView } from '../metrics/exporter-view.js';
import type { Logger } from '../log.js';
import type { Model } from '../model/model.js';
import type { WorkerConfig, WorkerMessage } from './messages.js';

const RESTART_DELAY_MS = 5_000;
/**
 * A scan allocates in bursts (per-process records, fresh fd tables) and keeps little; with V8's
 * default young generation (up to 3 x 16 MiB) that burst alone held ~30 MiB of RSS. 6 MiB (2 MiB
 * semi-spaces, the same as `npm run bench` measures scans with) costs no measurable scan CPU.
 * The old generation is not capped: a host with 100k processes needs a bigger cache, not a crash.
 */
const SCAN_WORKER_LIMITS = { maxYoungGenerationSizeMb: 6 };

export class BackgroundScanner {
  private view: ExporterView = EMPTY_VIEW;
  private worker: Worker | undefined;
  private stopped = false;
  private listeners: ((v: ExporterView) => void)[] = [];

  constructor(private readonly cfg: WorkerConfig, private readonly log: Logger) {}

  current(): ExporterView {
    return this.view;
  }

  /** Called after each completed scan (textfile output, OTel). */
  onSnapshot(fn: (v: ExporterView) => void): void {
    this.listeners.push(fn);
  }

  start(): void {
    const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: this.cfg, resourceLimits: SCAN_WORKER_LIMITS });
    this.worker = worker;
    worker.on('message', (m: WorkerMessage) => this.receive(m));
    worker.on('error', (err) => {
      this.log.error({ err: err.message }, 'scan worker crashed');
      this.view = { ...this.view, scansFailed: this.view.scansFailed + 1 };
    });
    worker.on('exit', () => {
      if (this.stopped) return;
      setTimeout(() => !this.stopped && this.start(), RESTART_DELAY_MS).unref();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker?.terminate();
  }

  private receive(m: WorkerMessage): void {
    const v = this.view;
    if (m.type === 'snapshot') {
      const first = v.scansSucceeded === 0;
      this.view = { ...v, stats: m.stats, model: m.model, ui: m.ui ?? null, scansSucceeded: v.scansSucceeded + 1, lastSuccessMs: Date.now() };
      if (first) this.logFirstScan(m);
      for (const fn of this.listeners) fn(this.view);
      this.logFailedSignals(m.model);
    } else if (m.type === 'scan-failed') {
      this.view = { ...v, scansFailed: v.scansFailed + 1 };
      this.log.warn({ err: m.message }, 'scan failed; serving the previous snapshot');
    } else {
      this.view = { ...v, listenerPolls: v.listenerPolls + 1 };
    }
  }

  /** A collector that fails is logged when it starts failing, not at every scan. */
  private failing = new Set<string>();

  private logFailedSignals(model: Model): void {
    for (const [collector, h] of Object.entries(model.health)) {
      if (h.success) this.failing.delete(collector);
      else if (!this.failing.has(collector)) {
        this.failing.add(collector);
        this.log.warn({ collector, err: h.error }, 'collector failed; its families are empty until it succeeds');
      }
    }
  }

  private logFirstScan(m: Extract<WorkerMessage, { type: 'snapshot' }>): void {
    const s = m.stats;
    this.log.info({ processes: s.processesScanned, fds: s.fdsScanned, listeners: m.listeners, duration_seconds: s.durationSeconds }, 'first scan complete');
  }
}
