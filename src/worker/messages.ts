/** Messages between the scan worker and the main thread (structured-clone safe). */
import type { Model, ModelOptions } from '../model/aggregate.js';
import type { ScannerOptions } from '../scan/scanner.js';
import type { ScanStats } from '../scan/snapshot.js';
import type { UiLimits, UiSnapshot } from '../api/ui-snapshot.js';

export interface WorkerConfig {
  procfs: string;
  rootfs: string;
  scanIntervalMs: number;
  listenerPollIntervalMs: number;
  scanner: ScannerOptions;
  model: Omit<ModelOptions, 'hostNetns'>;
  /** Set when --web.ui.enable is on: each snapshot message then carries the page's digest. */
  ui?: UiLimits;
}

export type WorkerMessage =
  | { type: 'snapshot'; snapshot: { stats: ScanStats }; listeners: number; model: Model; ui?: UiSnapshot }
  | { type: 'scan-failed'; message: string }
  | { type: 'listener-poll'; newListeners: number };
