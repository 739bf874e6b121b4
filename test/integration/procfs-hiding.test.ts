/**
 * Hiding from /proc itself (issue 14, items 10 and 11), on the real kernel: a bind mount over
 * /proc/<pid> (made inside a private mount namespace, so the test hides the process from the exporter
 * it starts there and from nobody else), and a procfs mounted with hidepid=invisible read by an
 * unprivileged exporter.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeListener, type HeldChild } from '../support/children.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { waitFor } from '../support/wait.js';

const NOBODY = 65534;
let tmp: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-hiding-'));
  fs.chmodSync(tmp, 0o755);
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a process hidden by a mount over /proc/<pid>', () => {
  let hidden: HeldChild;
  let exporter: RunningExporter;
  beforeAll(async () => {
    hidden = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    cleanups.push(() => hidden.stop());
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    // The exporter runs in its own mount namespace, where /proc/<pid> is covered by an empty folder.
    const wrapper = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind ${empty} /proc/${hidden.pid} && exec "$@"`, 'sh'];
    exporter = await startExporter([], { wrapper });
    cleanups.push(() => exporter.stop());
  });

  it('is reported as an overmount of that pid, and its listener shows without a holder', async () => {
    const text = await waitFor(async () => {
      const t = await exporter.metrics();
      return samplesOf(t, 'lsof_procfs_overmounts').length > 0 ? t : undefined;
    }, 'the overmount on /metrics');
    expect(samplesOf(text, 'lsof_procfs_overmounts')).toEqual([{ name: 'lsof_procfs_overmounts', labels: { pid: String(hidden.pid) }, value: 1 }]);
    const listener = samplesOf(text, 'lsof_listener_processes').find((s) => s.labels.port === String(hidden.port));
    expect([listener?.labels.process, listener?.value]).toEqual(['', 0]);
  });
});

describe('a procfs mounted with hidepid=invisible', () => {
  let exporter: RunningExporter;
  let procfs: string;
  beforeAll(async () => {
    procfs = fs.mkdtempSync(path.join(tmp, 'proc-'));
    fs.chmodSync(procfs, 0o755);
    execFileSync('mount', ['-t', 'proc', '-o', 'hidepid=invisible', 'proc', procfs]);
    cleanups.push(() => void execFileSync('umount', ['-l', procfs]));
    exporter = await startExporter([`--path.procfs=${procfs}`], { uid: NOBODY, gid: NOBODY });
    cleanups.push(() => exporter.stop());
  });

  it('says so on /metrics and warns once, while an unprivileged exporter sees only its own processes', async () => {
    const text = await exporter.metrics();
    expect(samplesOf(text, 'lsof_procfs_info')).toEqual([{ name: 'lsof_procfs_info', labels: { hidepid: 'invisible' }, value: 1 }]);
    expect(samplesOf(text, 'lsof_scan_processes')[0]!.value).toBeLessThan(fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length);
    await waitFor(() => /hidepid=invisible: processes of other users are invisible/.test(exporter.logs()), 'the hidepid warning');
    expect(exporter.logs().match(/is mounted with hidepid/g)).toHaveLength(1);
  });
});
