/** The expressions measured: every rule of the shipped rule files, and the baseline of before. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseDuration } from '../../alerts/src/duration.js';

export interface RuleRow {
  /** "before" (bench/rule-cost/baseline.rules.yml) or "now" (alerts/*.rules.yml). */
  set: 'before' | 'now';
  file: string;
  name: string;
  /** The rule group it belongs to. */
  group: string;
  expr: string;
  /** The group's own interval; null: the global evaluation_interval. */
  intervalSeconds: number | null;
  /** How many rules of the file share this name and expression (declarations of expected listeners). */
  copies: number;
}

interface RuleFile {
  groups: { name: string; interval?: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

export function readRules(file: string, set: RuleRow['set']): RuleRow[] {
  const rows = new Map<string, RuleRow>();
  for (const group of (parse(fs.readFileSync(file, 'utf8')) as RuleFile).groups) {
    for (const rule of group.rules) {
      const name = rule.alert ?? rule.record!;
      const key = `${name}\n${rule.expr}`;
      const seen = rows.get(key);
      if (seen) seen.copies++;
      else rows.set(key, { set, file: path.basename(file), name, group: group.name, expr: rule.expr, intervalSeconds: group.interval ? parseDuration(group.interval) : null, copies: 1 });
    }
  }
  return [...rows.values()];
}
