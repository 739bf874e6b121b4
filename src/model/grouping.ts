/**
 * Which process attributes become labels of the per-group families. Default: user and process name
 * (bounded on a sane host); --group.by may add the executable path or container id. Command lines
 * are deliberately not offered: they carry secrets.
 */
import type { ProcessRecord } from '../scan/snapshot.js';

export const GROUP_LABELS = ['user', 'process', 'executable', 'container_id'] as const;
export type GroupLabel = (typeof GROUP_LABELS)[number];
export const DEFAULT_GROUP_BY: GroupLabel[] = ['user', 'process'];

export function groupLabels(p: ProcessRecord, by: readonly GroupLabel[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of by) labels[l] = groupValue(p, l);
  return labels;
}

function groupValue(p: ProcessRecord, l: GroupLabel): string {
  switch (l) {
    case 'user':
      return p.user;
    case 'process':
      return p.comm;
    case 'executable':
      return p.exe;
    case 'container_id':
      return p.container.id;
  }
}
