/**
 * What the outputs read: the latest complete snapshot, its model, and the scan loop's own counters.
 * Replaced as a whole (never mutated) when a scan completes, so a scrape sees one scan, whole.
 */
import type { Model } from '../model/aggregate.js';
import type { ScanStats } from '../scan/snapshot.js';
import type { UiSnapshot } from '../api/ui-snapshot.js';

export interface ExporterView {
  /**
   * What the outputs need of the last scan besides its model: its statistics. The worker keeps the
   * processes, listeners and files; copying them to this thread every scan only grew its heap.
   */
  snapshot: { stats: ScanStats } | null;
  model: Model | null;
  scansSucceeded: number;
  scansFailed: number;
  lastSuccessMs: number | null;
  /** Listener polls between full scans (fast new-listener path), and how many found a new listener. */
  listenerPolls: number;
  /** The page's digest of the last scan; null unless --web.ui.enable is on. */
  ui: UiSnapshot | null;
}

export const EMPTY_VIEW: ExporterView = Object.freeze({
  snapshot: null,
  model: null,
  scansSucceeded: 0,
  scansFailed: 0,
  lastSuccessMs: null,
  listenerPolls: 0,
  ui: null,
});
