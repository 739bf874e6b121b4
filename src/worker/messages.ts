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
  /** Without `deletedFiles` and `exePlacement`: the enabled signals decide whether those phases run. */
  scanner: Omit<ScannerOptions, 'deletedFiles' | 'exePlacement'>;
  model: ModelOptions;
  /** Enabled collectors (signal names). */
  collectors: string[];
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
  | { type: 'snapshot'; stats: ScanStats; listeners: number; model: Model; hungTargets: HungTarget[]; ui?: UiSnapshot }
  | { type: 'scan-failed'; message: string }
  | { type: 'listener-poll'; newListeners: number };
