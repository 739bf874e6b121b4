/**
 * Every signal, registered once. The order is the order of their families on /metrics.
 * Adding a signal: a module in this folder (families + derive), one line here; docs/architecture.md.
 */
import { connectionsSignal } from './connections.js';
import { deletedExecutablesSignal } from './deleted-executables.js';
import { deletedFilesSignal } from './deleted-files.js';
import { executablesSignal } from './executables.js';
import { memfdsSignal } from './memfds.js';
import { procfsVisibilitySignal } from './procfs-visibility.js';
import { suspiciousSignal } from './suspicious.js';
import { listenersSignal } from './listeners.js';
import { processesSignal } from './processes.js';
import type { Signal } from './signal.js';
import { watchedPathsSignal } from './watched-paths.js';

const REGISTERED = [listenersSignal, processesSignal, deletedFilesSignal, memfdsSignal, deletedExecutablesSignal, executablesSignal, connectionsSignal, suspiciousSignal, procfsVisibilitySignal, watchedPathsSignal] as const;

export const SIGNALS: readonly Signal[] = REGISTERED;

type FamilyNamesOf<S> = S extends Signal<infer F> ? F[keyof F]['name'] : never;
/** The name (without lsof_) of every family a signal declares, as a union of literals. */
export type SignalFamilyName = FamilyNamesOf<(typeof REGISTERED)[number]>;

export const SIGNAL_NAMES: readonly string[] = SIGNALS.map((s) => s.name);

/** The signals of these collector names, in registration order; an unknown name throws. */
export function signalsNamed(names: readonly string[]): Signal[] {
  for (const n of names) if (!SIGNAL_NAMES.includes(n)) throw new Error(`unknown collector "${n}"`);
  return SIGNALS.filter((s) => names.includes(s.name));
}

/** Whether any of these signals needs the deleted-files phase of the scan. */
export function needsDeletedFiles(signals: readonly Signal[]): boolean {
  return signals.some((s) => s.needs.deletedFiles === true);
}

/** Whether any of these signals needs the exe_placement phase of the scan. */
export function needsExePlacement(signals: readonly Signal[]): boolean {
  return signals.some((s) => s.needs.exePlacement === true);
}

/** Whether any of these signals needs the memfds phase of the scan. */
export function needsMemfds(signals: readonly Signal[]): boolean {
  return signals.some((s) => s.needs.memfds === true);
}
