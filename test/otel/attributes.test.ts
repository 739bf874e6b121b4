/** Label -> attribute mapping, and docs/metrics.md's table of it, which must not drift. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { attributeName, toAttributes } from '../../src/exporters/otel-attributes.js';
import { exposedFamilies } from '../../src/metrics/catalog.js';
import { fullName, labelNames } from '../../src/signals/family.js';
import { SIGNALS } from '../../src/signals/index.js';
import { GROUP_LABELS } from '../../src/signals/labels.js';
import { suspiciousProcesses } from '../../src/signals/suspicious.js';

const DOC = fs.readFileSync(fileURLToPath(new URL('../../docs/metrics.md', import.meta.url)), 'utf8');
const SECTION = DOC.split('## OTLP attributes and resource\n')[1] ?? '';
const ROWS = [...SECTION.matchAll(/^\| `([a-z_]+)`( of `(\w+)`)? \| `([a-z0-9_.]+)`/gm)].map((m) => ({ label: m[1]!, family: m[3], attribute: m[4]! }));

describe('toAttributes', () => {
  it('names listener labels by the network and process semantic conventions, the port as an integer', () => {
    const attrs = toAttributes({
      protocol: 'tcp', family: 'ipv6', address: '::1', port: '8443', user: 'www-data', process: 'nginx', executable: '/usr/sbin/nginx',
      netns: '', container_id: '', container_runtime: '', pod_uid: '',
    });
    expect(attrs).toEqual({
      'network.transport': 'tcp',
      'network.type': 'ipv6',
      'network.local.address': '::1',
      'network.local.port': 8443,
      'process.owner': 'www-data',
      'process.executable.name': 'nginx',
      'process.executable.path': '/usr/sbin/nginx',
    });
  });

  it('keeps a non-numeric pid as text rather than inventing a number', () => {
    expect(toAttributes({ pid: '4242', inode: '77' })).toEqual({ 'process.pid': 4242, 'file.inode': '77' });
    expect(toAttributes({ pid: 'x1' })).toEqual({ 'process.pid': 'x1' });
  });

  it('gives the address family and the metric family labels distinct names and attributes', () => {
    expect(toAttributes({ metric: 'lsof_open_fds', family: 'ipv4' })).toEqual({ 'lsof.metric.family': 'lsof_open_fds', 'network.type': 'ipv4' });
  });

  it('puts a label with no convention under lsof.*', () => {
    expect(attributeName('shiny_new_label')).toBe('lsof.shiny_new_label');
  });
});

describe('docs/metrics.md OTLP attribute table', () => {
  it('lists the attribute of every label of every family', () => {
    for (const { family: def } of exposedFamilies(SIGNALS)) {
      for (const label of labelNames(def, GROUP_LABELS)) {
        const row = ROWS.find((r) => r.label === label && r.family === fullName(def)) ?? ROWS.find((r) => r.label === label && r.family === undefined);
        expect(row?.attribute, `${fullName(def)} ${label}`).toBe(attributeName(label, def.labels));
      }
    }
  });
});

describe('a label name two families give two meanings', () => {
  it('maps reason to the family\'s own attribute: the suspicious reason, and the scan\'s skip reason elsewhere', () => {
    expect(toAttributes({ reason: 'hidden_cwd' }, suspiciousProcesses.labels)).toEqual({ 'lsof.suspicious.reason': 'hidden_cwd' });
    expect(toAttributes({ reason: 'zombie' })).toEqual({ 'lsof.skip.reason': 'zombie' });
  });
});
