/** Messages between the scan worker and the main thread (structured-clone safe). */
import type { Model, ModelOptions } from '../model/model.js';
import type { HungTarget } from '../procfs/blocking-calls.js';
import type { ScannerOptions } from '../scan/scanner.js';
import type { ScanStats } from '../scan/scan-stats.js';
import type { UiLimits, UiSnapshot } from '../api/ui-snapshot.js';

export interface WorkerConfig {
  procfs: string;
  rootfs: string;
  scanIntervalMs: number;
  listenerPollIntervalMs: number;
  /** Least time from the end of a full scan to an early one (a poll saw a new listener). */
  scanMinIntervalMs: number;
  /** How long a listener stays reported after its last sighting (listener-hold.ts). */
  listenerHoldMs: number;
  /** Without `deletedFiles` and `exePlacement`: the enabled signals decide whether those phases run. */
  scanner: Omit<ScannerOptions, 'deletedFiles' | 'exePlacement'>;
  model: ModelOptions;
  /** Enabled collectors (signal names). */
  collectors: string[];
  /** --watch.path: the descriptor tables count their descriptors under these (absent: none). */
  watchPaths?: string[];
  /** Set when --web.ui.enable is on: each snapshot message then carries the page's digest. */
  ui?: UiLimits;
  /** Longest a full scan (or a poll) may run before the main thread abandons it (--scan.timeout). */
  scanTimeoutMs: number;
  /** Shared with the main thread: what the worker is doing (scan-progress.ts); absent for --once. */
  progress?: SharedArrayBuffer;
  /** Targets an earlier worker hung on: skipped (blocking-calls.ts). */
  hungTargets?: HungTarget[];
}

export type WorkerMessage =
  | { type: 'snapshot'; stats: ScanStats; listeners: number; model: Model; hungTargets: HungTarget[]; holdDropped: number; ui?: UiSnapshot }
  | { type: 'scan-failed'; message: string }
  | { type: 'listener-poll'; newListeners: number }
  /** A poll's new listeners attributed without a full scan: the last scan's model with them added (null: none were). */
  | { type: 'listeners-attributed'; model: Model | null; attributed: number; unattributed: number; holdDropped: number };
