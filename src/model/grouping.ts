/**
 * Which process attributes become labels of the per-group families. Default: user and process name
 * (bounded on a sane host); --group.by may add the executable path or container id. Command lines
 * are deliberately not offered: they carry secrets.
 */
import type { ProcessRecord } from '../scan/context.js';
import type { GroupLabel } from '../signals/labels.js';

export { DEFAULT_GROUP_BY, GROUP_LABELS, type GroupLabel } from '../signals/labels.js';

export function groupLabels(p: ProcessRecord, by: readonly GroupLabel[]): Partial<Record<GroupLabel, string>> {
  const labels: Partial<Record<GroupLabel, string>> = {};
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
