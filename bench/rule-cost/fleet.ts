/**
 * A synthetic fleet as Prometheus would have stored it: H hosts x L listeners scraped every 15 s for
 * the lookback plus an hour, every listener present all along (the steady state the alert is
 * evaluated in nearly always), and the hourly history the recording rules write for them (both
 * levels: for listeners present all along, a 1 at every evaluation). Each listener's daemon is also
 * an executable of its account (lsof_executable_processes, with its own history records), so the
 * new-executable rules read as many series as the new-listener ones.
 */
import { executableRecordNames } from '../../alerts/src/groups/executable-history.js';
import { recordNames } from '../../alerts/src/groups/listener-history.js';
import { BUILD_INFO, LISTENERS, metric } from '../../alerts/src/names.js';
import type { Tunables } from '../../alerts/src/tunables.js';

export interface Fleet {
  hosts: number;
  listenersPerHost: number;
  scrapeIntervalSeconds: number;
  historyIntervalSeconds: number;
  /** Seconds since the epoch, whole scrape intervals: [startSeconds, endSeconds]. */
  startSeconds: number;
  endSeconds: number;
}

/** One series: its OpenMetrics name{labels}, and every how many seconds it has a sample. */
export interface SyntheticSeries {
  family: string;
  text: string;
  /** The same labels, __name__ included, sorted by name (as remote write wants them). */
  labels: [string, string][];
  everySeconds: number;
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

/** Labels the exporter sets empty (netns, container_id...) are absent: Prometheus stores them so. */
function listenerLabels(host: number, l: number): Record<string, string> {
  return {
    instance: `host-${String(host).padStart(5, '0')}:10411`,
    job: 'lsof',
    protocol: l % 5 === 4 ? 'udp' : 'tcp',
    address: l % 3 === 0 ? '127.0.0.1' : '0.0.0.0',
    port: String(10_000 + l),
    user: `svc${l % 12}`,
    process: `daemon${l}`,
  };
}

export function fleetSeries(f: Fleet, n: Tunables['newListener']): SyntheticSeries[] {
  const names = recordNames(n);
  const executableNames = executableRecordNames(n);
  // One array per family: OpenMetrics wants a family's samples contiguous.
  const families = new Map<string, SyntheticSeries[]>();
  const add = (family: string, pairs: Record<string, string>, everySeconds: number) => {
    if (!families.has(family)) families.set(family, []);
    const sorted = Object.entries({ __name__: family, ...pairs }).sort(([a], [b]) => (a < b ? -1 : 1));
    families.get(family)!.push({ family, text: `${family}${labels(pairs)}`, labels: sorted, everySeconds });
  };
  for (let h = 0; h < f.hosts; h++) {
    const instance = { instance: listenerLabels(h, 0).instance!, job: 'lsof' };
    add(BUILD_INFO, { ...instance, version: '0.1.0', nodejs_version: 'v20.20.2' }, f.scrapeIntervalSeconds);
    add(names.recentInstances, instance, f.historyIntervalSeconds);
    add(names.eligibleInstances, instance, f.historyIntervalSeconds);
    for (let l = 0; l < f.listenersPerHost; l++) {
      const identity = listenerLabels(h, l);
      add(LISTENERS, { ...identity, family: 'ipv4', executable: `/usr/sbin/daemon${l}` }, f.scrapeIntervalSeconds);
      add(names.recentListeners, identity, f.historyIntervalSeconds);
      add(names.listenerHistory, identity, f.historyIntervalSeconds);
      const executable = { ...instance, user: identity.user!, executable: `/usr/sbin/daemon${l}` };
      add(metric('executable_processes'), { ...executable, process: identity.process! }, f.scrapeIntervalSeconds);
      add(executableNames.recentExecutables, executable, f.historyIntervalSeconds);
      add(executableNames.executableHistory, executable, f.historyIntervalSeconds);
    }
  }
  return [...families.values()].flat();
}

/** The OpenMetrics text of one window [from, to): families contiguous, each series' samples in order. */
export function openMetricsWindow(series: SyntheticSeries[], fromSeconds: number, toSeconds: number): { text: string; samples: number } {
  const out: string[] = [];
  let family = '';
  for (const s of series) {
    if (s.family !== family) {
      family = s.family;
      out.push(`# TYPE ${family} gauge\n`);
    }
    const first = Math.ceil(fromSeconds / s.everySeconds) * s.everySeconds;
    for (let t = first; t < toSeconds; t += s.everySeconds) out.push(`${s.text} 1 ${t}\n`);
  }
  const samples = out.length - new Set(series.map((s) => s.family)).size;
  out.push('# EOF\n');
  return { text: out.join(''), samples };
}
