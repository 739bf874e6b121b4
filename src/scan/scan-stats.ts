/**
 * What a scan says about itself: phases' wall time, cache use, processes skipped and errors met,
 * each by a closed set of reasons so that every reason exposes a sample (zero included).
 * A scan fills a ScanStatsBuilder as it goes and freezes it into ScanStats when done.
 */
export const SKIP_REASONS = ['exited', 'zombie', 'kernel_thread', 'pid_reused', 'unparsable'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const SCAN_PHASES = ['processes', 'descriptors', 'sockets', 'unix_sockets', 'deleted_files', 'memfds', 'exe_placement'] as const;
export type ScanPhase = (typeof SCAN_PHASES)[number];

/** Where a non-fatal read error happened. */
export const ERROR_SOURCES = ['passwd', 'passwd_lines', 'socket_tables', 'fd_read', 'fd_link', 'deleted_stat', 'memfd_stat', 'phase', 'path_stat'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];

export interface ScanStats {
  readonly durationSeconds: number;
  readonly phaseSeconds: Readonly<Record<ScanPhase, number>>;
  /** Wall time spent reading and parsing each network namespace's socket tables (by netns inode). */
  readonly socketTableSeconds: Readonly<Record<string, number>>;
  readonly processesScanned: number;
  readonly fdsScanned: number;
  /** Descriptors whose link we actually read this scan (the rest came from the cache). */
  readonly fdLinksRead: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
  /** Processes whose descriptors we could not read for lack of privilege. */
  readonly uninspectable: number;
  /** Non-fatal read or parse errors by where they happened. */
  readonly errors: Readonly<Record<ErrorSource, number>>;
  readonly netnsCount: number;
  /** " (deleted)" candidates left out over the per-process bound (deleted-candidates.ts). */
  readonly deletedCandidatesDropped: number;
  /** memfd descriptors not stat'ed over the per-table bound (fd-table.ts MAX_MEMFDS_PER_TABLE). */
  readonly memfdsDropped: number;
  /** Threads compared with their process by the thread walk (tasks.ts): a stat and a readlink each. */
  readonly tasksCompared: number;
  /** Descriptors were read by the native addon (src/procfs/native.ts), not the TypeScript loop. */
  readonly nativeFastPath: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends Readonly<Record<infer K2 extends string, number>> ? Record<K2, number> : T[K] };

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** The counters of a scan in progress. */
export class ScanStatsBuilder {
  readonly s: Mutable<ScanStats>;
  private readonly t0 = performance.now();

  constructor(nativeFastPath: boolean) {
    this.s = {
      durationSeconds: 0,
      phaseSeconds: zeros(SCAN_PHASES),
      socketTableSeconds: {},
      processesScanned: 0,
      fdsScanned: 0,
      fdLinksRead: 0,
      cacheHits: 0,
      cacheMisses: 0,
      skipped: zeros(SKIP_REASONS),
      uninspectable: 0,
      errors: zeros(ERROR_SOURCES),
      netnsCount: 0,
      deletedCandidatesDropped: 0,
      memfdsDropped: 0,
      tasksCompared: 0,
      nativeFastPath,
    };
  }

  skip(reason: SkipReason): void {
    this.s.skipped[reason]++;
  }

  error(source: ErrorSource, n = 1): void {
    this.s.errors[source] += n;
  }

  /** Runs `fn`, adding its wall time to `name`. */
  phase<T>(name: ScanPhase, fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.s.phaseSeconds[name] += (performance.now() - t) / 1000;
    }
  }

  finish(): ScanStats {
    this.s.durationSeconds = (performance.now() - this.t0) / 1000;
    return this.s;
  }
}
