/**
 * docs/metrics.md "The HTTP endpoint" documents exactly the families of src/http/http-metrics.ts, with
 * their types, and what they render passes `promtool check metrics`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createHttpMetrics, HTTP_FAMILIES } from '../../src/http/http-metrics.js';

const DOC = fs.readFileSync(fileURLToPath(new URL('../../docs/metrics.md', import.meta.url)), 'utf8');
const section = DOC.split('## The HTTP endpoint\n')[1]!.split('\n## ')[0]!;
const documented = Object.fromEntries([...section.matchAll(/^\| `(lsof_\w+)` \| (gauge|counter) \|/gm)].map((m) => [m[1]!, m[2]!]));

async function rendered(): Promise<string> {
  const m = createHttpMetrics({ openConnections: () => 3, maxConnections: 512, bcryptQueued: () => 0 });
  m.connectionDropped('evicted');
  m.webConfigReloaded('failure');
  return m.registry.metrics();
}

describe('HTTP endpoint metrics', () => {
  it('are documented in docs/metrics.md with their types, and nothing else is', async () => {
    const types = Object.fromEntries([...(await rendered()).matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(types).toEqual(documented);
    expect(Object.keys(types).sort()).toEqual([...HTTP_FAMILIES].sort());
  });

  it('pass promtool check metrics', async () => {
    const out = execFileSync('promtool', ['check', 'metrics'], { input: await rendered(), encoding: 'utf8' });
    expect(out.trim()).toBe('');
  });
});
