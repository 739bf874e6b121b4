/**
 * docs/metrics.md is the contract: every family the exporter exposes is documented there, and every
 * documented family is exposed. The exposition comes from a real scan of this host's /proc.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exposedFamilies as catalogFamilies } from '../../src/metrics/catalog.js';
import { ProcFs } from '../../src/procfs/proc.js';
import { Scanner } from '../../src/scan/scanner.js';
import { fullName } from '../../src/signals/family.js';
import { SIGNALS } from '../../src/signals/index.js';
import { familyNames } from '../support/exposition.js';
import { exposition } from '../support/scan-view.js';

const DOC = fs.readFileSync(fileURLToPath(new URL('../../docs/metrics.md', import.meta.url)), 'utf8');
const documented = [...DOC.matchAll(/^### (lsof_\w+)$/gm)].map((m) => m[1]!);

async function exposedFamilies(): Promise<string[]> {
  const context = new Scanner(ProcFs.at('/proc')).scan();
  return familyNames(await exposition(context, { runtimeMetrics: true, lastSuccessMs: Date.now() }));
}

describe('docs/metrics.md', () => {
  it('documents every exposed lsof_ family and exposes every documented one', async () => {
    const exposed = (await exposedFamilies()).filter((n) => n.startsWith('lsof_'));
    expect([...exposed].sort()).toEqual([...documented].sort());
  });

  it('covers the runtime metrics of the exporter process as a group', async () => {
    const others = (await exposedFamilies()).filter((n) => !n.startsWith('lsof_'));
    expect(others.length).toBeGreaterThan(0);
    for (const n of others) expect(n).toMatch(/^(process|nodejs)_/);
    expect(DOC).toContain('`process_*` and `nodejs_*`');
  });

  it('gives each family the OTLP name the catalog pushes', () => {
    for (const { family: def } of catalogFamilies(SIGNALS)) {
      const section = DOC.split(`### ${fullName(def)}\n`)[1]?.split('\n### ')[0] ?? '';
      expect(section, fullName(def)).toContain(`OTLP \`${def.otelName}\``);
      expect(section, fullName(def)).toMatch(new RegExp(`^${def.type}`));
    }
  });
});
