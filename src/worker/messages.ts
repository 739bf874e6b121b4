/** Messages between the scan worker and the main thread (structured-clone safe). */
import type { Model, ModelOptions } from '../model/model.js';
import type { HungTarget } from '../procfs/blocking-calls.js';
import type { ScannerOptions } from '../scan/scanner.js';
import type { ScanStats } from '../scan/scan-stats.js';

export interface WorkerConfig {
  procfs: string;
  rootfs: string;
  scanIntervalMs: number;
  listenerPollIntervalMs: number;
  /** Without `deletedFiles`: the enabled signals decide whether that phase runs. */
  scanner: Omit<ScannerOptions, 'deletedFiles'>;
  model: ModelOptions;
  /** Enabled collectors (signal names). */
  collectors: string[];
  /** Longest a full scan (or a poll) may run before the main thread abandons it (--scan.timeout). */
  scanTimeoutMs: number;
  /** Shared with the main thread: what the worker is doing (scan-progress.ts); absent for --once. */
  progress?: SharedArrayBuffer;
  /** Targets an earlier worker hung on: skipped (blocking-calls.ts). */
  hungTargets?: HungTarget[];
}

export type WorkerMessage =
  | { type: 'snapshot'; stats: ScanStats; listeners: number; model: Model; hungTargets: HungTarget[] }
  | { type: 'scan-failed'; message: string }
  | { type: 'listener-poll'; newListeners: number };
