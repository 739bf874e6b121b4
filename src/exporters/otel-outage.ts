/**
 * Logs a collector outage once, not once per export: the first failed export after a success (or
 * at start) logs a warning, the failures after it are only counted, and the first success after
 * them logs "recovered" with how many exports failed and for how long.
 */

export interface OutageLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
}

export type ExportOutcome = { ok: true } | { ok: false; error: string };

interface Outage {
  sinceMs: number;
  failedExports: number;
}

export class OutageLog {
  private outage: Outage | null = null;

  constructor(
    private readonly log: OutageLogger,
    private readonly endpoint: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the last export failed. */
  get failing(): boolean {
    return this.outage !== null;
  }

  record(outcome: ExportOutcome): void {
    if (!outcome.ok) {
      if (this.outage) {
        this.outage.failedExports++;
        return;
      }
      this.outage = { sinceMs: this.now(), failedExports: 1 };
      this.log.warn({ endpoint: this.endpoint, err: outcome.error }, 'OTLP export failing; further failures are not logged until it recovers');
      return;
    }
    if (!this.outage) return;
    const { sinceMs, failedExports } = this.outage;
    this.outage = null;
    this.log.info({ endpoint: this.endpoint, failed_exports: failedExports, outage_seconds: Math.round((this.now() - sinceMs) / 1000) }, 'OTLP export recovered');
  }
}
