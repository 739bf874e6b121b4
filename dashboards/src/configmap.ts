/**
 * The dashboards as one Kubernetes ConfigMap for the Grafana sidecar (Grafana Helm chart,
 * kube-prometheus-stack, grafana-operator setups with k8s-sidecar): the sidecar loads every ConfigMap
 * labelled `grafana_dashboard: "1"`, and puts it in the folder named by the `grafana_folder`
 * annotation where the chart sets `sidecar.dashboards.folderAnnotation: grafana_folder`.
 */
import { DASHBOARDS, renderDashboard } from './catalog.js';

export const CONFIGMAP_FILE = 'deploy/grafana/dashboards-configmap.yaml';

function blockScalar(text: string, indent: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? '' : indent + line))
    .join('\n');
}

export function renderConfigMap(): string {
  const header = [
    `# Generated from dashboards/src by npm run dashboards:generate: do not edit.`,
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: lsof-exporter-dashboards',
    '  labels:',
    '    grafana_dashboard: "1"',
    '  annotations:',
    '    grafana_folder: lsof-exporter',
    'data:',
  ];
  const files = DASHBOARDS.map(({ file, build }) => `  ${file}: |\n${blockScalar(renderDashboard(build()), '    ')}`);
  return `${[...header, ...files].join('\n')}\n`;
}
