/**
 * The shipped rule files: rendered from the tunables without drift, accepted by promtool, unit-tested
 * with promtool (alerts/tests/*.test.yml), and linked to a runbook section that exists.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RULE_FILE, renderRuleFile, ruleGroups } from '../../alerts/src/render.js';
import { runbookAnchor } from '../../alerts/src/rule.js';
import { DEFAULT_TUNABLES } from '../../alerts/src/tunables.js';
import { runTool } from '../support/run-tool.js';

const ALERTS = fileURLToPath(new URL('../../alerts/', import.meta.url));
const RUNBOOKS = fileURLToPath(new URL('../../docs/runbooks.md', import.meta.url));
const ruleFiles = fs.readdirSync(ALERTS).filter((f) => f.endsWith('.rules.yml'));
const unitTests = fs.readdirSync(`${ALERTS}tests`).filter((f) => f.endsWith('.test.yml'));
const alerts = ruleGroups(DEFAULT_TUNABLES).flatMap((g) => g.rules);

const promtool = (args: string[]) => runTool('/usr/bin/promtool', args, ALERTS);

describe('alert rule files', () => {
  it('commits exactly what the default tunables render (run `npm run alerts` after a change)', () => {
    expect(fs.readFileSync(`${ALERTS}${RULE_FILE}`, 'utf8')).toBe(renderRuleFile(DEFAULT_TUNABLES));
  });

  it('are plain Prometheus rule files that promtool accepts', async () => {
    expect(ruleFiles).toEqual(expect.arrayContaining([RULE_FILE, 'expected-listeners.rules.yml']));
    for (const file of ruleFiles) {
      expect(Object.keys(parse(fs.readFileSync(`${ALERTS}${file}`, 'utf8')) as object)).toEqual(['groups']);
    }
    const out = await promtool(['check', 'rules', ...ruleFiles]);
    expect(out).not.toMatch(/FAILED|WARNING/);
  });

  it.each(unitTests)('pass the promtool unit tests of %s', async (file) => {
    expect(await promtool(['test', 'rules', `tests/${file}`])).toMatch(/SUCCESS/);
  });

  it('unit-test every alert in a promtool test that expects it to fire', () => {
    const tested = unitTests.map((f) => fs.readFileSync(`${ALERTS}tests/${f}`, 'utf8')).join('\n');
    for (const rule of alerts) {
      expect(tested, rule.alert).toMatch(new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    }
  });
});

describe('runbooks', () => {
  const runbooks = fs.readFileSync(RUNBOOKS, 'utf8');
  const sections = new Map(
    runbooks
      .split(/^## /m)
      .slice(1)
      .map((s) => [s.slice(0, s.indexOf('\n')).trim().toLowerCase(), s] as const),
  );

  it.each(alerts.map((r) => [r.alert, r] as const))('link %s to a section with meaning, impact, diagnosis and mitigation', (name, rule) => {
    expect(rule.annotations.runbook_url).toBe(`${DEFAULT_TUNABLES.runbookUrl}#${runbookAnchor(name)}`);
    const section = sections.get(runbookAnchor(name));
    expect(section, `docs/runbooks.md has no "## ${name}"`).toBeDefined();
    for (const part of ['Meaning', 'Impact', 'Diagnosis', 'Mitigation']) expect(section).toContain(`### ${part}`);
  });
});
