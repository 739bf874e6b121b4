/**
 * What the outputs read: the model of the latest complete scan, its statistics, and the scan loop's
 * own counters. Replaced as a whole (never mutated) when a scan completes, so a scrape sees one scan,
 * whole. The worker keeps the scan context; copying it to this thread every scan only grew its heap.
 */
import type { Model } from '../model/model.js';
import type { ScanStats } from '../scan/scan-stats.js';
import type { UiSnapshot } from '../api/ui-snapshot.js';

export interface ExporterView {
  stats: ScanStats | null;
  model: Model | null;
  scansSucceeded: number;
  scansFailed: number;
  /** Scans abandoned at --scan.timeout (their worker replaced). */
  scansAbandoned: number;
  /** Files a scan hung on, skipped by the scans since. */
  hungTargets: number;
  lastSuccessMs: number | null;
  /** Listener polls between full scans (the fast new-listener path). */
  listenerPolls: number;
  /** New listeners a poll saw: attributed to their holders at once, or left to a full scan. */
  listenerAttributions: { attributed: number; full_scan: number };
  /** Held listeners (listener-hold.ts) pushed out by its bound since start. */
  listenerHoldDropped: number;
  /** The page's digest of the last scan; null unless --web.ui.enable is on. */
  ui: UiSnapshot | null;
}

export const EMPTY_VIEW: ExporterView = Object.freeze({
  stats: null,
  model: null,
  scansSucceeded: 0,
  scansFailed: 0,
  scansAbandoned: 0,
  hungTargets: 0,
  lastSuccessMs: null,
  listenerPolls: 0,
  listenerAttributions: Object.freeze({ attributed: 0, full_scan: 0 }),
  listenerHoldDropped: 0,
  ui: null,
});
