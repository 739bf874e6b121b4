/**
 * Alerts and dashboards name the exporter's families through src/metrics/names.ts (imports checked by
 * the compiler), never as string literals: a renamed family must break the build, not empty a rule or
 * a panel in silence.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metric } from '../../src/metrics/names.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

/** Code lines (comments dropped) that spell an lsof_ family name. */
function literalNames(file: string): string[] {
  return fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
    .filter((line) => /\blsof_[a-z]/.test(line))
    .map((line) => `${file}: ${line.trim()}`);
}

describe('family names in the products', () => {
  it.each(['alerts/src', 'dashboards/src'])('are imported in %s, never spelled', (dir) => {
    expect(sources(dir).flatMap(literalNames)).toEqual([]);
  });

  it('come out as the exposed names', () => {
    expect(metric('listener_processes')).toBe('lsof_listener_processes');
    expect(metric('scans_total')).toBe('lsof_scans_total');
  });
});
