/** Cell contents shared by the views: pids that open the one-process view, holders, sizes, places. */
import { h, type Child } from './dom.js';
import type { Container, Holder } from './api.js';

let processLinks = false;

/** Pids become links only when the one-process view is served (else they would lead to a refusal). */
export function enableProcessLinks(on: boolean): void {
  processLinks = on;
}

export function pidCell(pid: number | null): Child {
  if (pid === null) return '';
  return processLinks ? h('a', { href: `#process/${pid}`, 'aria-label': `process ${pid}` }, String(pid)) : String(pid);
}

export function holdersCell(holders: Holder[], total: number): Child {
  if (total === 0) return h('span', { class: 'muted' }, 'no visible holder');
  const list = h('ul', { class: 'holders' }, ...holders.map((x) => h('li', {}, pidCell(x.pid), ` ${x.process} (${x.user})`, x.fd !== undefined ? ` fd ${x.fd}` : '')));
  return total > holders.length ? h('span', {}, list, `and ${total - holders.length} more`) : list;
}

export function holdersText(holders: Holder[], total: number): string {
  const named = holders.map((x) => `${x.pid} ${x.process} (${x.user})${x.fd !== undefined ? ` fd ${x.fd}` : ''}`).join('; ');
  return total > holders.length ? `${named}; and ${total - holders.length} more` : named;
}

export function placeText(netns: string, c: Container): string {
  const ns = netns === '' ? 'host netns' : `netns ${netns}`;
  return c.id ? `${ns}, ${c.runtime || 'container'} ${c.id.slice(0, 12)}${c.podUid ? `, pod ${c.podUid}` : ''}` : ns;
}

/** The filter values of a place: its namespace and, when there is one, its container. */
export function placeValues(netns: string, c: Container): string[] {
  const ns = netns === '' ? 'host netns' : `netns ${netns}`;
  return c.id ? [ns, `container ${c.id.slice(0, 12)}`] : [ns];
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytesCell(n: number | null): Child {
  if (n === null) return h('span', { class: 'muted' }, 'unknown');
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return h('span', { title: `${n} bytes` }, u === 0 ? `${n} B` : `${v.toFixed(1)} ${UNITS[u]}`);
}

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function unique(values: string[]): string[] {
  return [...new Set(values)];
}
