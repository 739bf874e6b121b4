/**
 * `--once`: the shell recipe's output (`lsof -i -n -P | grep LISTEN`), one line per listener as
 * process/user/address:port, sorted and unique, so a host can be checked without Prometheus. A
 * listener outside the host's network namespace says which one (and its container), so the same port
 * in two namespaces is two lines, as it is two series.
 */
import type { Model } from './model/model.js';
import { listenerProcesses } from './signals/listeners.js';

export function listenerLines(model: Model): string[] {
  const lines = new Set<string>();
  for (const { labels } of model.samples[listenerProcesses.name] ?? []) {
    lines.add(formatListener(labels));
  }
  return [...lines].sort();
}

export function formatListener(l: Record<string, string>): string {
  const address = l.family === 'ipv6' ? `[${l.address}]` : l.address;
  const proto = l.protocol === 'udp' ? ' (udp)' : '';
  const netns = l.netns ? ` netns=${l.netns}` : '';
  const container = l.container_id ? ` container=${l.container_id.slice(0, 12)}` : '';
  return `${lsofStyle(l.process || '?')}/${lsofStyle(l.user ?? '')}/${address}:${l.port}${proto}${netns}${container}`;
}

/** lsof's own forms for the controls the model wrote as \xNN (label-escape.ts): one listener, one line. */
const LSOF_FORMS: Record<string, string> = { '0a': '\\n', '0d': '\\r', '09': '\\t', '1b': '^[' };

function lsofStyle(value: string): string {
  return value.replace(/\\x(0a|0d|09|1b)/g, (_m, hex: string) => LSOF_FORMS[hex]!);
}
