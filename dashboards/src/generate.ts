/**
 * Writes dashboards/*.json from the typed source: `npm run dashboards:generate`.
 * test/unit/dashboards.test.ts fails when the committed files differ from what this writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS, renderDashboard } from './catalog.js';

// dashboards/src/generate.ts runs as dist/dashboards/src/generate.js: the repository root is three up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

for (const { file, build } of DASHBOARDS) {
  const target = path.join(ROOT, 'dashboards', file);
  fs.writeFileSync(target, renderDashboard(build()));
  console.log(`wrote ${path.relative(ROOT, target)}`);
}
