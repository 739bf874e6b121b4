/**
 * Main-thread side of the scan worker: keeps the latest ExporterView, replacing it whole when a
 * snapshot arrives, so /metrics never waits for a scan and never sees half of one. A worker that
 * dies is counted as a failed scan, logged, and restarted after a pause.
 * A worker busy for longer than --scan.timeout (stuck in a stat on a hung FUSE or NFS mount, which no
 * signal or terminate() interrupts) is abandoned: counted, logged with the file it is stuck on (read
 * from the shared progress, scan-progress.ts), and replaced at once by a worker that skips that file.
 */
import { Worker } from 'node:worker_threads';
import { describeTarget, targetKey, type HungTarget } from '../procfs/blocking-calls.js';
import { EMPTY_VIEW, type ExporterView } from '../metrics/exporter-view.js';
import type { Logger } from '../log.js';
import type { Model } from '../model/model.js';
import type { WorkerConfig, WorkerMessage } from './messages.js';
import { ScanProgress } from './scan-progress.js';

const RESTART_DELAY_MS = 5_000;
/**
 * A scan allocates in bursts (per-process records, fresh fd tables) and keeps little; with V8's
 * default young generation (up to 3 x 16 MiB) that burst alone held ~30 MiB of RSS. 6 MiB (2 MiB
 * semi-spaces, the same as `npm run bench` measures scans with) costs no measurable scan CPU.
 * The old generation is not capped: a host with 100k processes needs a bigger cache, not a crash.
 */
const SCAN_WORKER_LIMITS = { maxYoungGenerationSizeMb: 6 };
/** How often the deadline is checked: the overrun is noticed within this much of --scan.timeout. */
const WATCHDOG_INTERVAL_MS = 500;
/**
 * An abandoned worker's thread stays blocked until the call returns (its memory with it). Each one
 * skips the file the last one hung on, so only a hang with no known file repeats; past this many
 * blocked workers the exporter stops replacing them and serves the last snapshot, logged.
 */
const MAX_BLOCKED_WORKERS = 4;

export class BackgroundScanner {
  private view: ExporterView = EMPTY_VIEW;
  private worker: Worker | undefined;
  private stopped = false;
  private listeners: ((v: ExporterView) => void)[] = [];
  private progress: ScanProgress | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** Files a worker hung on, handed to each new worker to skip (pruned by the worker's snapshots). */
  private hungTargets: HungTarget[] = [];
  private blockedWorkers = 0;

  constructor(private readonly cfg: WorkerConfig, private readonly log: Logger) {}

  current(): ExporterView {
    return this.view;
  }

  /** Called after each completed scan (textfile output, OTel). */
  onSnapshot(fn: (v: ExporterView) => void): void {
    this.listeners.push(fn);
  }

  start(): void {
    const progress = new ScanProgress();
    const workerData: WorkerConfig = { ...this.cfg, progress: progress.buffer, hungTargets: this.hungTargets };
    const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData, resourceLimits: SCAN_WORKER_LIMITS });
    this.worker = worker;
    this.progress = progress;
    const current = () => this.worker === worker;
    worker.on('message', (m: WorkerMessage) => current() && this.receive(m));
    worker.on('error', (err) => {
      if (!current()) return;
      this.log.error({ err: err.message }, 'scan worker crashed');
      this.view = { ...this.view, scansFailed: this.view.scansFailed + 1 };
    });
    worker.on('exit', () => {
      if (this.stopped || !current()) return;
      setTimeout(() => !this.stopped && this.start(), RESTART_DELAY_MS).unref();
    });
    this.watchdog ??= setInterval(() => this.checkDeadline(), WATCHDOG_INTERVAL_MS).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    await this.worker?.terminate();
  }

  private checkDeadline(): void {
    const since = this.progress?.busySinceMs() ?? null;
    if (this.stopped || since === null || Date.now() - since <= this.cfg.scanTimeoutMs) return;
    this.abandon(this.progress!.currentCall());
  }

  /** Gives up on the running scan: the worker is left to end whenever its call returns. */
  private abandon(target: HungTarget | null): void {
    const stuck = this.worker!;
    this.worker = undefined;
    this.progress = undefined;
    this.blockedWorkers++;
    stuck.once('exit', () => this.blockedWorkers--);
    stuck.unref(); // a thread blocked in the kernel must not keep the exporter from exiting
    void stuck.terminate().catch(() => undefined);
    if (target && !this.hungTargets.some((t) => targetKey(t) === targetKey(target))) this.hungTargets = [...this.hungTargets, target];
    this.view = { ...this.view, scansAbandoned: this.view.scansAbandoned + 1, hungTargets: this.hungTargets.length };
    const replace = this.blockedWorkers <= MAX_BLOCKED_WORKERS;
    this.log.error(
      { target: target ? describeTarget(target) : 'unknown', timeout_ms: this.cfg.scanTimeoutMs, blocked_workers: this.blockedWorkers, replaced: replace },
      replace
        ? 'scan overran --scan.timeout: abandoned it and replaced the scan worker; the file it was stuck on is skipped from now on'
        : 'scan overran --scan.timeout with too many scan workers still blocked; serving the last snapshot until one returns',
    );
    if (replace) this.start();
    else stuck.once('exit', () => !this.stopped && !this.worker && this.start());
  }

  private receive(m: WorkerMessage): void {
    const v = this.view;
    if (m.type === 'snapshot') {
      const first = v.scansSucceeded === 0;
      this.hungTargets = m.hungTargets;
      this.view = { ...v, stats: m.stats, model: m.model, ui: m.ui ?? null, scansSucceeded: v.scansSucceeded + 1, lastSuccessMs: Date.now(), hungTargets: m.hungTargets.length, listenerHoldDropped: m.holdDropped };
      if (first) this.logFirstScan(m);
      for (const fn of this.listeners) fn(this.view);
      this.logFailedSignals(m.model);
    } else if (m.type === 'scan-failed') {
      this.view = { ...v, scansFailed: v.scansFailed + 1 };
      this.log.warn({ err: m.message }, 'scan failed; serving the previous snapshot');
    } else if (m.type === 'listeners-attributed') {
      const a = v.listenerAttributions;
      const listenerAttributions = { attributed: a.attributed + m.attributed, full_scan: a.full_scan + m.unattributed };
      this.view = { ...v, model: m.model ?? v.model, listenerAttributions, listenerHoldDropped: m.holdDropped };
      if (m.model) for (const fn of this.listeners) fn(this.view);
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
