/**
 * Every threshold, window and list an operator tunes, in one place. The committed rule files
 * (alerts/lsof-exporter.rules.yml and, next to it, alerts/lsof-exporter-history.rules.yml) are
 * rendered from DEFAULT_TUNABLES by `npm run alerts`; to tune, pass a JSON file of overrides
 * (`npm run alerts -- --tunables my.json --out my.rules.yml`) or edit the defaults here. Durations
 * are Prometheus durations ("7d", "90m").
 */
export interface Tunables {
  /** Selector of the scrape job(s) of the exporter, for the target-down alert. */
  jobSelector: string;
  /** docs/runbooks.md as operators reach it; each alert links `<runbookUrl>#<alertname lowercased>`. */
  runbookUrl: string;
  /**
   * Expected-listener declarations are read over this window: rule groups are evaluated independently,
   * so an alert evaluated before the declarations' group (first evaluation, reload) still sees them.
   * A removed declaration keeps applying for as long.
   */
  expectedListenersWindow: string;
  newListener: {
    /** A listener is new when it was not seen on the instance during this window. */
    lookback: string;
    /** How long a listener counts as new after it first appears (the alert holds that long, even if the listener closes). */
    recent: string;
    /** History an instance needs (before `recent`) before any of its listeners can be new: a host just added is quiet. */
    minInstanceHistory: string;
    /** Longer than a scrape interval or two: lets a listener first seen without its process be matched to it. */
    for: string;
    /**
     * Interval of the rule group recording the history (lsof-exporter.listener-history, its own rule
     * file): the alert reads `lookback / historyInterval` samples per listener. Shorter than
     * `minInstanceHistory`; a new listener's alert holds between `recent` and `recent + historyInterval`.
     */
    historyInterval: string;
  };
  /** LsofNewExecutable: reads its history over the windows of `newListener` (same history interval). */
  newExecutable: {
    /** Longer than a scrape interval: a process seen by one scan only still alerts for `recent`. */
    for: string;
  };
  serviceAccount: {
    /** Accounts that must only listen on ports declared for them (alerts/expected-listeners.rules.yml). */
    users: string[];
    /** Also bridges the very first evaluation after the rules are loaded. */
    for: string;
  };
  /** Connections in CLOSE_WAIT per user and process beyond which a leak is reported. */
  closeWait: { connections: number; for: string };
  /** One account holding more listening sockets than this (lsof_listening_sockets). */
  listenerFlood: { sockets: number; for: string };
  holderlessListener: {
    /** Listeners the kernel itself holds (no process ever does): never holderless alerts. */
    kernelListeners: { protocol: 'tcp' | 'udp'; ports: number[]; why: string }[];
    /** Longer than a scan or two: a listener first seen mid-scan shows briefly without its process. */
    for: string;
  };
  deletedOpenBytes: { thresholdBytes: number; for: string };
  deletedExecutable: { for: string };
  /**
   * How long a process must keep each reason of lsof_suspicious_processes before its alert fires
   * (alerts/src/groups/suspicious.ts; deleted executables: deletedExecutable.for).
   */
  suspicious: {
    hiddenExecutableFor: string;
    hiddenCwdFor: string;
    worldWritableExecutableFor: string;
    memfdExecutableFor: string;
    kernelThreadNameFor: string;
    masqueradingNameFor: string;
  };
  fdLimit: { utilizationRatio: number; for: string };
  exporter: {
    /** Window of the scan-failure rate. */
    failureRateWindow: string;
    scansFailingFor: string;
    /** Age of the last successful scan beyond which the data is stale. */
    staleAfter: string;
    staleFor: string;
    blindFor: string;
    seriesCappedFor: string;
    downFor: string;
  };
}

export const DEFAULT_TUNABLES: Tunables = {
  jobSelector: 'job="lsof"',
  runbookUrl: 'https://github.com/lsof-exporter/lsof-exporter/blob/main/docs/runbooks.md',
  expectedListenersWindow: '1h',
  newListener: { lookback: '7d', recent: '1h', minInstanceHistory: '1d', for: '1m', historyInterval: '1h' },
  newExecutable: { for: '1m' },
  serviceAccount: { users: ['www-data', 'apache', 'httpd', 'nginx', 'nobody'], for: '1m' },
  closeWait: { connections: 100, for: '15m' },
  listenerFlood: { sockets: 1000, for: '5m' },
  holderlessListener: {
    kernelListeners: [
      { protocol: 'tcp', ports: [2049], why: 'NFS server (nfsd)' },
      { protocol: 'udp', ports: [2049], why: 'NFS server (nfsd)' },
      { protocol: 'tcp', ports: [3260], why: 'LIO iSCSI target' },
      { protocol: 'udp', ports: [4789, 8472, 6081], why: 'VXLAN (IANA and Linux default) and Geneve tunnels' },
      { protocol: 'udp', ports: [51820], why: 'WireGuard (its default port)' },
    ],
    for: '5m',
  },
  deletedOpenBytes: { thresholdBytes: 1024 ** 3, for: '30m' },
  deletedExecutable: { for: '15m' },
  suspicious: {
    hiddenExecutableFor: '5m',
    hiddenCwdFor: '30m',
    worldWritableExecutableFor: '10m',
    memfdExecutableFor: '5m',
    kernelThreadNameFor: '1m',
    masqueradingNameFor: '2m',
  },
  fdLimit: { utilizationRatio: 0.9, for: '15m' },
  exporter: {
    failureRateWindow: '5m',
    scansFailingFor: '15m',
    staleAfter: '10m',
    staleFor: '5m',
    blindFor: '30m',
    seriesCappedFor: '15m',
    downFor: '5m',
  },
};

/** Overrides merged one level deep onto the defaults (what a tunables JSON file holds). */
export type TunablesOverrides = { [K in keyof Tunables]?: Tunables[K] extends object ? Partial<Tunables[K]> : Tunables[K] };

export function withOverrides(overrides: TunablesOverrides, base: Tunables = DEFAULT_TUNABLES): Tunables {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = (base as unknown as Record<string, unknown>)[key];
    if (current === undefined) throw new Error(`unknown tunable: ${key}`);
    out[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  return out as unknown as Tunables;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
