/** Every dashboard and the file under dashboards/ its JSON is committed as. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { descriptorsDashboard } from './descriptors.js';
import { healthDashboard } from './health.js';
import { listenersDashboard } from './listeners.js';

export interface DashboardFile {
  file: string;
  build: () => Dashboard;
}

export const DASHBOARDS: readonly DashboardFile[] = [
  { file: 'listeners.json', build: listenersDashboard },
  { file: 'descriptors.json', build: descriptorsDashboard },
  { file: 'exporter-health.json', build: healthDashboard },
];

/** The committed form: two-space JSON with a final newline, so diffs stay readable. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
