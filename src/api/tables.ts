/**
 * The JSON API's answers for the three scan tables (docs/api.md): the last scan's rows with the time
 * of that scan, so a script (or the page's "as of") knows how old they are.
 */
import type { ListenerFirstSeen } from './first-seen.js';
import type { UiDeletedFile, UiListener, UiProcessGroup, UiSnapshot, UiTable } from './ui-snapshot.js';

export interface ApiTable<T> {
  /** When the scan these rows come from started (RFC 3339). */
  asOf: string;
  scanDurationSeconds: number;
  exporterStartedAt: string;
  rows: T[];
  /** Rows the exporter left out (each table is capped, see docs/api.md). */
  truncated: number;
}

export interface ApiListener extends UiListener {
  /** When this exporter first saw a listener with this identity (protocol, address, port, namespace). */
  firstSeenAt: string | null;
  /** Not there in the exporter's first scan. */
  newSinceStart: boolean;
}

export type ApiDeletedFile = UiDeletedFile;
export type ApiProcessGroup = UiProcessGroup;

function table<T, R>(ui: UiSnapshot, t: UiTable<T>, startedAtMs: number, row: (r: T) => R): ApiTable<R> {
  return {
    asOf: new Date(ui.scanStartedAtMs).toISOString(),
    scanDurationSeconds: ui.scanDurationSeconds,
    exporterStartedAt: new Date(startedAtMs).toISOString(),
    rows: t.rows.map(row),
    truncated: t.truncated,
  };
}

export function listenersTable(ui: UiSnapshot, firstSeen: ListenerFirstSeen, startedAtMs: number): ApiTable<ApiListener> {
  return table(ui, ui.listeners, startedAtMs, (l) => {
    const first = firstSeen.firstSeenMs(l);
    return { ...l, firstSeenAt: first === null ? null : new Date(first).toISOString(), newSinceStart: firstSeen.isNew(l) };
  });
}

export function deletedFilesTable(ui: UiSnapshot, startedAtMs: number): ApiTable<ApiDeletedFile> {
  return table(ui, ui.deletedFiles, startedAtMs, (f) => f);
}

export function processesTable(ui: UiSnapshot, startedAtMs: number): ApiTable<ApiProcessGroup> {
  return table(ui, ui.processGroups, startedAtMs, (g) => g);
}
