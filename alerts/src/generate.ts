/**
 * Writes the rule files: `node dist/alerts/src/generate.js [--tunables overrides.json] [--out file]`.
 * The history rules go next to the alert file, as lsof-exporter-history.rules.yml. Without arguments
 * it rewrites the committed alerts/*.rules.yml from the defaults.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HISTORY_RULE_FILE, RULE_FILE, renderHistoryRuleFile, renderRuleFile } from './render.js';
import { withOverrides, type TunablesOverrides } from './tunables.js';

// Runs compiled, as dist/alerts/src/generate.js.
const COMMITTED_RULE_FILE = new URL(`../../../alerts/${RULE_FILE}`, import.meta.url);

function main(): void {
  const { values } = parseArgs({ options: { tunables: { type: 'string' }, out: { type: 'string' } } });
  const overrides = values.tunables ? (JSON.parse(fs.readFileSync(values.tunables, 'utf8')) as TunablesOverrides) : {};
  const tunables = withOverrides(overrides);
  const out = values.out ?? fileURLToPath(COMMITTED_RULE_FILE);
  const historyOut = path.join(path.dirname(out), HISTORY_RULE_FILE);
  fs.writeFileSync(out, renderRuleFile(tunables));
  fs.writeFileSync(historyOut, renderHistoryRuleFile(tunables));
  console.log(`wrote ${out} and ${historyOut}`);
}

main();
