/**
 * Since when this exporter has seen each listener, kept in the main thread across scans (the worker
 * restarts with its caches; this does not). A listener is its identity, not its socket inode: a
 * service restarted on the same port keeps its first-seen time. Listeners present in the first scan
 * are the baseline; any first seen later is "new since the exporter started".
 * Bounded: past maxEntries, the identities absent longest are forgotten first.
 */
import type { UiListener } from './ui-snapshot.js';

export const FIRST_SEEN_MAX_ENTRIES = 20_000;

interface Seen {
  firstMs: number;
  lastMs: number;
}

export class ListenerFirstSeen {
  private readonly seen = new Map<string, Seen>();
  private baselineMs: number | null = null;

  constructor(private readonly maxEntries = FIRST_SEEN_MAX_ENTRIES) {}

  static key(l: Pick<UiListener, 'protocol' | 'family' | 'address' | 'port' | 'netns'>): string {
    return `${l.netns}|${l.protocol}|${l.family}|${l.address}|${l.port}`;
  }

  /** Record one scan's listeners, at the time the scan started. */
  observe(listeners: readonly UiListener[], scanMs: number): void {
    this.baselineMs ??= scanMs;
    for (const l of listeners) {
      const k = ListenerFirstSeen.key(l);
      const s = this.seen.get(k);
      if (s) s.lastMs = scanMs;
      else this.seen.set(k, { firstMs: scanMs, lastMs: scanMs });
    }
    if (this.seen.size > this.maxEntries) this.forgetOldest(this.seen.size - this.maxEntries);
  }

  firstSeenMs(l: UiListener): number | null {
    return this.seen.get(ListenerFirstSeen.key(l))?.firstMs ?? null;
  }

  /** First seen after the exporter's first scan. */
  isNew(l: UiListener): boolean {
    const first = this.firstSeenMs(l);
    return first !== null && this.baselineMs !== null && first > this.baselineMs;
  }

  get size(): number {
    return this.seen.size;
  }

  private forgetOldest(n: number): void {
    const oldest = [...this.seen].sort(([, a], [, b]) => a.lastMs - b.lastMs).slice(0, n);
    for (const [k] of oldest) this.seen.delete(k);
  }
}
