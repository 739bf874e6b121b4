/**
 * A signal: one module that declares its families and derives their samples from a scan context as
 * a pure function (it never reads /proc; the scan did). Registered once in signals/index.ts; turned
 * on or off with --collector.NAME / --no-collector.NAME (node_exporter's collectors), and reported
 * per scan by lsof_collector_success{collector} and lsof_collector_duration_seconds{collector}.
 */
import type { ScanContext } from '../scan/context.js';
import type { Family, LabelOf, TypedSample } from './family.js';
import type { GroupLabel } from './labels.js';

export interface DeriveOptions {
  /** --group.by: the labels of the per-group families. */
  groupBy: readonly GroupLabel[];
  /** --deleted.top: how many of the largest deleted files get their own series. */
  deletedTop: number;
  /** --connections.watched-remote-ports: remote ports named in lsof_tcp_connections. */
  watchedRemotePorts: readonly number[];
}

/** What the scan must collect for a signal (phases no enabled signal needs are skipped). */
export interface ScanNeeds {
  deletedFiles?: boolean;
  /** The exe_placement phase: cwd, world-writable directories, system program names (exe-placement.ts). */
  exePlacement?: boolean;
  /** The memfds phase: a stat of each memfd descriptor (scan/memfds.ts). */
  memfds?: boolean;
}

export type FamilyMap = Record<string, Family<string>>;

export type SamplesOf<F extends FamilyMap> = { [K in keyof F]: TypedSample<LabelOf<F[K]>>[] };

export interface Signal<F extends FamilyMap = FamilyMap> {
  /** The collector name: flags, lsof_collector_*{collector}. Lower case, underscores. */
  readonly name: string;
  /** One line for --help and docs. */
  readonly help: string;
  readonly enabledByDefault: boolean;
  readonly needs: ScanNeeds;
  readonly families: F;
  derive(ctx: ScanContext, opts: DeriveOptions): SamplesOf<F>;
}

export function defineSignal<const F extends FamilyMap>(signal: Signal<F>): Signal<F> {
  return Object.freeze(signal);
}
