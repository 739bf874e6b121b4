/**
 * The scan schedule, run inside the worker: a full scan every interval (never overlapping: the next
 * one is scheduled when the last one ends), and between full scans a cheap poll of the listening
 * sockets of every known network namespace (listener-source.ts: sock_diag for our own namespace, the
 * text tables, read only up to their listeners and within a CPU budget, for the others). A listening
 * socket the last scan did not have is attributed at once, without a full scan: its uid and namespace
 * narrow the search to few processes (listener-attribution.ts), and the last scan's model is re-derived
 * with it. Only a socket that search cannot attribute starts an early full scan, at the earliest
 * scanMinIntervalMs after the last one ended: a user opening listeners in a loop cannot keep the
 * exporter scanning. Every listener seen stays reported for the hold time (listener-hold.ts).
 * With warm caches only the processes whose fd count changed are re-read.
 */
import { buildModel, type Model } from '../model/model.js';
import { ProcFs } from '../procfs/proc.js';
import { watchList } from '../procfs/watched-paths.js';
import type { ScanContext } from '../scan/context.js';
import { attributeListeners, type PolledListener } from '../scan/listener-attribution.js';
import { ListenerHold, withHolders } from '../scan/listener-hold.js';
import { Scanner } from '../scan/scanner.js';
import { ListenerSource } from '../procfs/listener-source.js';
import { needsDeletedFiles, needsExePlacement, needsMemfds, signalsNamed } from '../signals/index.js';
import type { Signal } from '../signals/signal.js';
import type { WorkerConfig, WorkerMessage } from './messages.js';
import { buildUiSnapshot } from '../api/ui-snapshot.js';
import { ScanProgress, Tripwire } from './scan-progress.js';

export class ScanLoop {
  private readonly procfs: ProcFs;
  private readonly scanner: Scanner;
  private readonly signals: readonly Signal[];
  private known = new Set<number>();
  /** The last full scan's context (the attribution's starting point); null before the first. */
  private last: ScanContext | null = null;
  private readonly hold: ListenerHold;
  private namespaces = new Map<string, number[]>();
  private readonly listenerSource: ListenerSource;
  private nextScanAt = 0;
  private lastScanEndMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly progress: ScanProgress;
  private readonly tripwire: Tripwire;

  constructor(private readonly cfg: WorkerConfig, private readonly emit: (m: WorkerMessage) => void) {
    this.progress = new ScanProgress(cfg.progress);
    this.tripwire = new Tripwire(this.progress, cfg.hungTargets ?? []);
    this.procfs = ProcFs.at(cfg.procfs, cfg.rootfs, { blockingCalls: this.tripwire, watches: watchList(cfg.watchPaths ?? []), pathIndex: cfg.ui?.fileSearch === true });
    this.signals = signalsNamed(cfg.collectors);
    this.scanner = new Scanner(this.procfs, { ...cfg.scanner, deletedFiles: needsDeletedFiles(this.signals), exePlacement: needsExePlacement(this.signals), memfds: needsMemfds(this.signals) });
    this.listenerSource = new ListenerSource(this.procfs.reader, { native: this.procfs.fdTables.native });
    this.hold = new ListenerHold(cfg.listenerHoldMs);
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
    this.last = null; // not kept alive beside the scan that replaces it
    const scanned = this.scanner.scan();
    this.hold.renew(withHolders(scanned.listeners, scanned.processes), Date.now());
    const context = this.withHeld(scanned);
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
      const ui = this.cfg.ui ? buildUiSnapshot(context, context.hostNetns, this.cfg.ui) : undefined;
      const hungTargets = this.tripwire.hungTargets();
      this.emit({ type: 'snapshot', stats: context.stats, listeners: context.listeners.length, model, hungTargets, holdDropped: this.hold.dropped, ...(ui && { ui }) });
    } catch (err) {
      this.emit({ type: 'scan-failed', message: (err as Error).message });
    }
    this.lastScanEndMs = Date.now();
    this.nextScanAt = this.lastScanEndMs + this.cfg.scanIntervalMs;
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
    let fresh: PolledListener[] = [];
    try {
      const poll = this.busy(() => this.listenerSource.poll(this.namespaces));
      fresh = poll.listening.filter(({ socket }) => !this.known.has(socket.inode));
    } catch {
      fresh = []; // a failed poll changes nothing; the next full scan reports errors
    }
    this.emit({ type: 'listener-poll', newListeners: fresh.length });
    const unattributed = fresh.length > 0 ? this.attribute(fresh) : 0;
    if (unattributed > 0) this.scanSoon();
    else this.scheduleNext();
  }

  /** Names the holders of new listeners without a full scan; returns how many it could not. */
  private attribute(fresh: PolledListener[]): number {
    const last = this.last;
    if (!last) return fresh.length;
    let a;
    try {
      a = this.busy(() => attributeListeners(this.procfs, fresh, last, (pid) => this.scanner.readProcessRecord(pid)));
    } catch {
      return fresh.length; // the full scan will tell
    }
    this.hold.saw(a.attributed, Date.now());
    for (const { listener } of a.attributed) this.known.add(listener.inode);
    const model = a.attributed.length > 0 ? buildModel(this.withHeld(last), this.signals, this.cfg.model) : null;
    this.emit({ type: 'listeners-attributed', model, attributed: a.attributed.length, unattributed: a.unattributed.length, holdDropped: this.hold.dropped });
    return a.unattributed.length;
  }

  /** A full scan's context with the listeners held from earlier sightings added. */
  private withHeld(scanned: ScanContext): ScanContext {
    return Object.freeze({ ...scanned, heldListeners: this.hold.besides(scanned.listeners, Date.now()) });
  }

  /** A full scan now, or as soon as the minimum gap since the last one allows (no polls meanwhile). */
  private scanSoon(): void {
    const wait = this.lastScanEndMs + this.cfg.scanMinIntervalMs - Date.now();
    if (wait <= 0) return this.fullScan();
    this.nextScanAt = Math.min(this.nextScanAt, Date.now() + wait);
    this.timer = setTimeout(() => this.fullScan(), Math.min(wait, Math.max(0, this.nextScanAt - Date.now())));
  }

  private remember(context: ScanContext): void {
    this.last = context;
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
