/**
 * Writes the rule file: `node dist/alerts/src/generate.js [--tunables overrides.json] [--out file]`.
 * Without arguments it rewrites the committed alerts/lsof-exporter.rules.yml from the defaults.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RULE_FILE, renderRuleFile } from './render.js';
import { withOverrides, type TunablesOverrides } from './tunables.js';

// Runs compiled, as dist/alerts/src/generate.js.
const COMMITTED_RULE_FILE = new URL(`../../../alerts/${RULE_FILE}`, import.meta.url);

function main(): void {
  const { values } = parseArgs({ options: { tunables: { type: 'string' }, out: { type: 'string' } } });
  const overrides = values.tunables ? (JSON.parse(fs.readFileSync(values.tunables, 'utf8')) as TunablesOverrides) : {};
  const out = values.out ?? fileURLToPath(COMMITTED_RULE_FILE);
  fs.writeFileSync(out, renderRuleFile(withOverrides(overrides)));
  console.log(`wrote ${out}`);
}

main();
