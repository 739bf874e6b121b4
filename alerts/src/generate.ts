/**
 * Writes the rule file: `node dist/alerts/src/generate.js [--tunables overrides.json] [--out file]`.
 * Without arguments it rewrites the committed alerts/lsof-exporter.rules.yml from the defaults.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RULE_FILE, renderRuleFile } from './render.js';
import { withOverrides, type TunablesOverrides } from './tunables.js';

// dist/alerts/src/generate.js and alerts/src/generate.ts both sit two levels under the repo root.
const REPO_ROOT = new URL('../../', import.meta.url);

function main(): void {
  const { values } = parseArgs({ options: { tunables: { type: 'string' }, out: { type: 'string' } } });
  const overrides = values.tunables ? (JSON.parse(fs.readFileSync(values.tunables, 'utf8')) as TunablesOverrides) : {};
  const root = REPO_ROOT.pathname.includes('/dist/') ? new URL('../', REPO_ROOT) : REPO_ROOT;
  const out = values.out ?? fileURLToPath(new URL(`alerts/${RULE_FILE}`, root));
  fs.writeFileSync(out, renderRuleFile(withOverrides(overrides)));
  console.log(`wrote ${out}`);
}

main();
