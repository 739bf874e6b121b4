/**
 * Writes dashboards/*.json and the sidecar ConfigMap from the typed source:
 * `npm run dashboards:generate`. test/unit/dashboards.test.ts fails when the committed files differ.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS, renderDashboard } from './catalog.js';
import { CONFIGMAP_FILE, renderConfigMap } from './configmap.js';

// dashboards/src/generate.ts runs as dist/dashboards/src/generate.js: the repository root is three up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const outputs: [string, string][] = [
  ...DASHBOARDS.map(({ file, build }): [string, string] => [path.join('dashboards', file), renderDashboard(build())]),
  [CONFIGMAP_FILE, renderConfigMap()],
];
for (const [file, text] of outputs) {
  fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
  fs.writeFileSync(path.join(ROOT, file), text);
  console.log(`wrote ${file}`);
}
