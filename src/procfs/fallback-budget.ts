/**
 * How often a namespace's text tables may be read by the listener poll: a bound on the average share
 * of one core the text fallback costs, whatever the namespaces hold.
 *
 * Each read is timed; with n namespaces on the fallback, namespace i is read again no sooner than
 * cost_i * n / share after its last read began, so the sum over all of them stays under `share`.
 * A namespace whose read takes 1 ms, alone, at share 0.005: every 0.2 s (each poll at 250 ms); one
 * whose UDP table alone takes 50 ms: every 10 s. Tables whose cost grows (a UDP flood) thus slow
 * their own reads, not the poll of every other namespace.
 */
export class FallbackBudget {
  private readonly last = new Map<string, { startMs: number; costMs: number }>();

  constructor(private readonly share: number) {
    if (!(share > 0 && share <= 1)) throw new Error(`fallback CPU share must be in (0, 1], got ${share}`);
  }

  /** Whether `netns` may be read at `nowMs`, with `fallbackCount` namespaces on the fallback. */
  due(netns: string, nowMs: number, fallbackCount: number): boolean {
    return this.waitMs(netns, nowMs, fallbackCount) === 0;
  }

  /** Milliseconds until `netns` is due (0 when it is). */
  waitMs(netns: string, nowMs: number, fallbackCount: number): number {
    const l = this.last.get(netns);
    return l ? Math.max(0, l.startMs + (l.costMs * Math.max(1, fallbackCount)) / this.share - nowMs) : 0;
  }

  spent(netns: string, startMs: number, costMs: number): void {
    this.last.set(netns, { startMs, costMs });
  }

  /** Forget namespaces no longer polled (their processes are gone). */
  retain(live: Set<string>): void {
    for (const netns of this.last.keys()) if (!live.has(netns)) this.last.delete(netns);
  }
}
