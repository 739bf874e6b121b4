/** Messages between the scan worker and the main thread (structured-clone safe). */
import type { Model, ModelOptions } from '../model/aggregate.js';
import type { ScannerOptions } from '../scan/scanner.js';
import type { ScanStats } from '../scan/snapshot.js';

export interface WorkerConfig {
  procfs: string;
  rootfs: string;
  scanIntervalMs: number;
  listenerPollIntervalMs: number;
  scanner: ScannerOptions;
  model: Omit<ModelOptions, 'hostNetns'>;
}

export type WorkerMessage =
  | { type: 'snapshot'; snapshot: { stats: ScanStats }; listeners: number; model: Model }
  | { type: 'scan-failed'; message: string }
  | { type: 'listener-poll'; newListeners: number };
