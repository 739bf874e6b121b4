/**
 * The shipped rule files: rendered from the tunables without drift, accepted by promtool, unit-tested
 * with promtool (alerts/tests/*.test.yml), and linked to a runbook section that exists.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../alerts/src/duration.js';
import { LISTENERS, metric } from '../../alerts/src/names.js';
import { HISTORY_RULE_FILE, historyRuleGroups, RULE_FILE, renderHistoryRuleFile, renderRuleFile, ruleGroups } from '../../alerts/src/render.js';
import { isAlertingRule, runbookAnchor, type RecordingRule } from '../../alerts/src/rule.js';
import { DEFAULT_TUNABLES } from '../../alerts/src/tunables.js';
import { runTool } from '../support/run-tool.js';

const ALERTS = fileURLToPath(new URL('../../alerts/', import.meta.url));
const RUNBOOKS = fileURLToPath(new URL('../../docs/runbooks.md', import.meta.url));
const ruleFiles = fs.readdirSync(ALERTS).filter((f) => f.endsWith('.rules.yml'));
const unitTests = fs.readdirSync(`${ALERTS}tests`).filter((f) => f.endsWith('.test.yml'));
const alerts = ruleGroups(DEFAULT_TUNABLES).flatMap((g) => g.rules.filter(isAlertingRule));

const promtool = (args: string[]) => runTool('/usr/bin/promtool', args, ALERTS);

describe('alert rule files', () => {
  it('commits exactly what the default tunables render (run `npm run alerts` after a change)', () => {
    expect(fs.readFileSync(`${ALERTS}${RULE_FILE}`, 'utf8')).toBe(renderRuleFile(DEFAULT_TUNABLES));
    expect(fs.readFileSync(`${ALERTS}${HISTORY_RULE_FILE}`, 'utf8')).toBe(renderHistoryRuleFile(DEFAULT_TUNABLES));
  });

  it('are plain Prometheus rule files that promtool accepts', async () => {
    expect(ruleFiles).toEqual(expect.arrayContaining([RULE_FILE, HISTORY_RULE_FILE, 'expected-listeners.rules.yml']));
    for (const file of ruleFiles) {
      expect(Object.keys(parse(fs.readFileSync(`${ALERTS}${file}`, 'utf8')) as object)).toEqual(['groups']);
    }
    const out = await promtool(['check', 'rules', ...ruleFiles]);
    expect(out).not.toMatch(/FAILED|WARNING/);
  });

  // The history files evaluate every group every 15m over 8 to 10 days: 15 to 30 s of CPU each, far longer on a loaded host.
  it.each(unitTests)('pass the promtool unit tests of %s', async (file) => {
    expect(await promtool(['test', 'rules', `tests/${file}`])).toMatch(/SUCCESS/);
  }, 180_000);

  it('unit-test every alert in a promtool test that expects it to fire', () => {
    const tested = unitTests.map((f) => fs.readFileSync(`${ALERTS}tests/${f}`, 'utf8')).join('\n');
    for (const rule of alerts) {
      expect(tested, rule.alert).toMatch(new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    }
  });
});

describe('listener history rules', () => {
  const groups = historyRuleGroups(DEFAULT_TUNABLES);
  const records = groups.flatMap((g) => g.rules) as RecordingRule[];
  const newListener = alerts.find((r) => r.alert === 'LsofNewListener')!;
  const newExecutable = alerts.find((r) => r.alert === 'LsofNewExecutable')!;

  it('run in their own groups on the coarse history interval, named level:metric:operations', () => {
    expect(groups.map((g) => g.interval)).toEqual([DEFAULT_TUNABLES.newListener.historyInterval, DEFAULT_TUNABLES.newListener.historyInterval]);
    for (const r of records) expect(r.record).toMatch(/^(listener|instance|executable):lsof_[a-z_]+:present_over_time\d+[hd](_offset[0-9dhms]+)?$/);
  });

  it('are what LsofNewListener reads its history from: level 2 only, level 2 from level 1', () => {
    const [recentListeners, listenerHistory, recentInstances, eligibleInstances] = groups[0]!.rules as RecordingRule[];
    for (const level2 of [listenerHistory!, eligibleInstances!]) expect(newListener.expr).toContain(`${level2.record}[`);
    for (const level1 of [recentListeners!, recentInstances!]) expect(newListener.expr).not.toContain(`${level1.record}[`);
    expect(listenerHistory!.expr).toContain(`${recentListeners!.record}[`);
    expect(eligibleInstances!.expr).toContain(`${recentInstances!.record}[`);
  });

  it.each([
    { rule: newListener, scraped: LISTENERS },
    { rule: newExecutable, scraped: metric('executable_processes') },
  ])('leave $rule.alert reaching back two history intervals at most, scraped series the recent window only', ({ rule, scraped }) => {
    // One wide selector would make every selector of the query look its series up in every block it reaches.
    const ranges = [...rule.expr.matchAll(/([a-z_:0-9]+)(?:\{[^}]*\})?\[(\w+)\]( offset (\w+))?/g)];
    expect(ranges.map((m) => m[1])).toContain(scraped);
    const { recent, historyInterval } = DEFAULT_TUNABLES.newListener;
    for (const [, name, range, , offset] of ranges) {
      const reach = parseDuration(range!) + (offset ? parseDuration(offset) : 0);
      expect(reach, name).toBeLessThanOrEqual(name!.startsWith('lsof_') ? parseDuration(recent) : 2 * parseDuration(historyInterval));
    }
  });

  it('are what LsofNewExecutable reads its executable history from (level 2), with the listener history\'s instance records', () => {
    const [recentExecutables, executableHistory] = groups[1]!.rules as RecordingRule[];
    expect(newExecutable.expr).toContain(`${executableHistory!.record}[`);
    expect(newExecutable.expr).not.toContain(`${recentExecutables!.record}[`);
    expect(executableHistory!.expr).toContain(`${recentExecutables!.record}[`);
    expect(newExecutable.expr).toContain(`${(groups[0]!.rules[3] as RecordingRule).record}[`);
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
