/**
 * Keeps a listener the poll attributed (between two full scans) for the hold time after its last
 * sighting, so one that lived between two scrapes is still scraped: a backdoor listening for one
 * second shows on /metrics, with its process and user, for the hold time. A listener a full scan
 * found is in that scan's snapshot, scraped like the rest, and is not held (a host whose new
 * processes each listen would otherwise carry every one of them for the hold time); a full scan
 * that still finds a held one renews it. Bounded:
 * a user opening and closing listeners in a loop fills at most `max` entries, the oldest sightings
 * going first (counted in `dropped`); the per-user fair cap of the model then applies as usual.
 */
import type { HeldListener, ListenerRecord, ProcessRecord } from './context.js';

export const DEFAULT_MAX_HELD_LISTENERS = 4096;

export class ListenerHold {
  /** inode -> the last sighting and when it stops being held; insertion order = oldest sighting first. */
  private readonly held = new Map<number, { entry: HeldListener; untilMs: number }>();
  /** Sightings pushed out by the bound since start. */
  dropped = 0;

  constructor(private readonly holdMs: number, private readonly max = DEFAULT_MAX_HELD_LISTENERS) {}

  /** A full scan's open listeners: those already held are renewed, with their holders as found now. */
  renew(entries: readonly HeldListener[], nowMs: number): void {
    this.saw(entries.filter((e) => this.held.has(e.listener.inode)), nowMs);
  }

  /** Listeners the poll attributed, with their holders' records: each held until `nowMs` + the hold time. */
  saw(entries: readonly HeldListener[], nowMs: number): void {
    if (this.holdMs <= 0) return;
    for (const entry of entries) {
      if (entry.holders.length === 0) continue; // nothing to name: the scan reports it as holderless
      this.held.delete(entry.listener.inode);
      this.held.set(entry.listener.inode, { entry, untilMs: nowMs + this.holdMs });
    }
    for (const inode of this.held.keys()) {
      if (this.held.size <= this.max) break;
      this.held.delete(inode);
      this.dropped++;
    }
  }

  /**
   * The held listeners no open listener has the identity of (protocol, address, port, namespace):
   * a service restarted on its port is reported once, by its new socket, not twice.
   */
  besides(open: readonly ListenerRecord[], nowMs: number): HeldListener[] {
    const openIds = new Set(open.map(identity));
    const out: HeldListener[] = [];
    for (const [inode, { entry, untilMs }] of this.held) {
      if (untilMs <= nowMs) this.held.delete(inode);
      else if (!openIds.has(identity(entry.listener))) out.push(entry);
    }
    return out;
  }
}

function identity(l: ListenerRecord): string {
  return `${l.protocol}/${l.family}/${l.address}/${l.port}/${l.netns}`;
}

/** Each listener with its holders' records (a holder not among `processes` is left out). */
export function withHolders(listeners: readonly ListenerRecord[], processes: readonly ProcessRecord[]): HeldListener[] {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  return listeners.map((listener) => ({ listener, holders: listener.holders.map((pid) => byPid.get(pid)).filter((p): p is ProcessRecord => p !== undefined) }));
}
