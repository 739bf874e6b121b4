/**
 * The scan schedule, run inside the worker: a full scan every interval (never overlapping: the next
 * one is scheduled when the last one ends), and between full scans a cheap poll of the socket tables
 * of every known network namespace. A listening socket the last scan did not have triggers an
 * early full scan; with warm caches only the processes whose fd count changed are re-read, which is
 * where the new socket's owner must be.
 */
import { buildModel, type Model } from '../model/model.js';
import { ProcFs } from '../procfs/proc.js';
import type { ScanContext } from '../scan/context.js';
import { Scanner } from '../scan/scanner.js';
import { buildSocketIndex } from '../scan/socket-index.js';
import { needsDeletedFiles, signalsNamed } from '../signals/index.js';
import type { Signal } from '../signals/signal.js';
import type { WorkerConfig, WorkerMessage } from './messages.js';
import { ScanProgress, Tripwire } from './scan-progress.js';

export class ScanLoop {
  private readonly procfs: ProcFs;
  private readonly scanner: Scanner;
  private readonly signals: readonly Signal[];
  private known = new Set<number>();
  private namespaces = new Map<string, number[]>();
  private nextScanAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly progress: ScanProgress;
  private readonly tripwire: Tripwire;

  constructor(private readonly cfg: WorkerConfig, private readonly emit: (m: WorkerMessage) => void) {
    this.progress = new ScanProgress(cfg.progress);
    this.tripwire = new Tripwire(this.progress, cfg.hungTargets ?? []);
    this.procfs = ProcFs.at(cfg.procfs, cfg.rootfs, { blockingCalls: this.tripwire });
    this.signals = signalsNamed(cfg.collectors);
    this.scanner = new Scanner(this.procfs, { ...cfg.scanner, deletedFiles: needsDeletedFiles(this.signals) });
  }

  start(): void {
    this.fullScan();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One full scan; exposed for --once and tests. */
  scanOnce(): { context: ScanContext; model: Model } {
    const context = this.scanner.scan();
    const model = buildModel(context, this.signals, this.cfg.model);
    this.remember(context);
    this.tripwire.prune(new Set(context.processes.map((p) => p.pid)));
    return { context, model };
  }

  /** Runs `work` with the worker marked busy, so the main thread can hold it to --scan.timeout. */
  private busy<T>(work: () => T): T {
    this.progress.setBusy(Date.now());
    try {
      return work();
    } finally {
      this.progress.setBusy(null);
    }
  }

  private fullScan(): void {
    if (this.stopped) return;
    try {
      const { context, model } = this.busy(() => this.scanOnce());
      this.emit({ type: 'snapshot', stats: context.stats, listeners: context.listeners.length, model, hungTargets: this.tripwire.hungTargets() });
    } catch (err) {
      this.emit({ type: 'scan-failed', message: (err as Error).message });
    }
    this.nextScanAt = Date.now() + this.cfg.scanIntervalMs;
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const untilScan = Math.max(0, this.nextScanAt - Date.now());
    const poll = this.cfg.listenerPollIntervalMs;
    if (poll > 0 && poll < untilScan) this.timer = setTimeout(() => this.poll(), poll);
    else this.timer = setTimeout(() => this.fullScan(), untilScan);
  }

  private poll(): void {
    if (this.stopped) return;
    let fresh = 0;
    try {
      const index = this.busy(() => buildSocketIndex(this.procfs, this.namespaces));
      fresh = index.listening.filter(({ socket }) => !this.known.has(socket.inode)).length;
    } catch {
      fresh = 0; // a failed poll changes nothing; the next full scan reports errors
    }
    this.emit({ type: 'listener-poll', newListeners: fresh });
    if (fresh > 0) this.fullScan();
    else this.scheduleNext();
  }

  private remember(context: ScanContext): void {
    this.known = new Set(context.listeners.map((l) => l.inode));
    const ns = new Map<string, number[]>();
    for (const p of context.processes) {
      const list = ns.get(p.netns) ?? [];
      // A few members per namespace are enough to read its tables if one exits.
      if (list.length < 3) list.push(p.pid);
      ns.set(p.netns, list);
    }
    this.namespaces = ns;
  }
}
