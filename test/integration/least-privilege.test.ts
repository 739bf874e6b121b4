/**
 * Least privilege, for real: the built exporter runs as nobody (65534) through setpriv, once with only
 * CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH as ambient capabilities and once with none, beside a root
 * run. Root-owned children of this test (a TCP listener, a holder of a deleted file) must be seen
 * whole with the two capabilities, and be reported as uninspectable without them. Two more runs stay
 * uid 0 as the Kubernetes DaemonSet does, with only the two capabilities or none, against a listener
 * of another uid.
 * Other helpers' processes come and go: assertions look at this test's children and at the
 * exporters' own counters only (PID 1 here is in another user namespace, unreadable even to root).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_COMM, startFdHolder, startNodeListener, type HeldChild } from '../support/children.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { waitFor } from '../support/wait.js';

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const WITH_CAPS = [...NOBODY, '--inh-caps=+sys_ptrace,+dac_read_search', '--ambient-caps=+sys_ptrace,+dac_read_search', '--'];
const WITHOUT_CAPS = [...NOBODY, '--inh-caps=-all', '--bounding-set=-sys_ptrace,-dac_read_search', '--'];
/** As the Kubernetes DaemonSet runs it: uid 0, every capability dropped but the two, no_new_privs. */
const ROOT_TWO_CAPS = ['setpriv', '--bounding-set=-all,+sys_ptrace,+dac_read_search', '--inh-caps=-all', '--no-new-privs', '--'];
const ROOT_NO_CAPS = ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--no-new-privs', '--'];
const OTHER_UID = 12345;
// five exporters scan at once here: a slower interval and no listener polling keep them off the CPU
const ARGS = ['--deleted.top=10000', '--scan.interval=2s', '--scan.listener-poll-interval=0'];

let dir: string;
let deletedFile: string;
let holder: HeldChild;
let listener: HeldChild;
let otherListener: HeldChild;
const runs: RunningExporter[] = [];
let root: RunningExporter;
let withCaps: RunningExporter;
let withoutCaps: RunningExporter;
let rootTwoCaps: RunningExporter;
let rootNoCaps: RunningExporter;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-privilege-'));
  deletedFile = path.join(dir, 'held-after-delete.log');
  fs.writeFileSync(deletedFile, Buffer.alloc(64 * 1024, 1));
  holder = await startFdHolder(['hold', deletedFile]);
  fs.unlinkSync(deletedFile);
  listener = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
  otherListener = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1', uid: OTHER_UID, gid: OTHER_UID });
  // each run is recorded as soon as it is up, so afterAll stops it even if another fails to start
  const start = async (wrapper: string[]) => {
    const run = await startExporter(ARGS, { wrapper, firstScanTimeoutMs: 100_000 });
    runs.push(run);
    return run;
  };
  [root, withCaps, withoutCaps, rootTwoCaps, rootNoCaps] = await Promise.all([start([]), start(WITH_CAPS), start(WITHOUT_CAPS), start(ROOT_TWO_CAPS), start(ROOT_NO_CAPS)]);
});

afterAll(async () => {
  await Promise.all([...runs.map((r) => r.stop()), holder?.stop(), listener?.stop(), otherListener?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What a run sees of this test's root-owned children. */
async function viewOfChildren(run: RunningExporter) {
  const text = await run.metrics();
  const listenerSeries = samplesOf(text, 'lsof_listener_processes')
    .filter((s) => s.labels.port === String(listener.port))
    .map((s) => ({ user: s.labels.user, process: s.labels.process, value: s.value }));
  const deleted = samplesOf(text, 'lsof_deleted_open_file_size_bytes')
    .filter((s) => s.labels.path === deletedFile && s.labels.pid === String(holder.pid))
    .map((s) => ({ user: s.labels.user, process: s.labels.process, value: s.value }));
  const uninspectable = samplesOf(text, 'lsof_scan_uninspectable_processes')[0]?.value;
  return { listener: listenerSeries, deleted, uninspectable };
}

describe('least privilege', () => {
  it('a root run sees the root-owned listener and the deleted file', async () => {
    const v = await viewOfChildren(root);
    expect(v.listener).toEqual([{ user: 'root', process: NODE_COMM, value: 1 }]);
    const holderComm = fs.readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim(); // unique per run
    expect(v.deleted).toEqual([{ user: 'root', process: holderComm, value: 64 * 1024 }]);
  });

  it('nobody with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH sees what root sees, and is no blinder', async () => {
    const [r, c] = await Promise.all([viewOfChildren(root), viewOfChildren(withCaps)]);
    expect(c.listener).toEqual(r.listener);
    expect(c.deleted).toEqual(r.deleted);
    // counted at nearly the same moment; retried because other tests' processes come and go
    await waitFor(async () => {
      const [a, b] = await Promise.all([viewOfChildren(root), viewOfChildren(withCaps)]);
      return a.uninspectable === b.uninspectable;
    }, 'equal uninspectable counts for root and nobody+caps');
    expect(withCaps.logs()).not.toMatch(/missing CAP_/);
  });

  it('nobody without them keeps working, reports the listener without its holder and counts what it cannot see', async () => {
    const [r, n] = await Promise.all([viewOfChildren(root), viewOfChildren(withoutCaps)]);
    expect(n.listener).toEqual([{ user: 'root', process: '', value: 0 }]);
    expect(n.deleted).toEqual([]);
    // at least this test's two root children (and the root exporter) more than root cannot see
    expect(n.uninspectable!).toBeGreaterThanOrEqual(r.uninspectable! + 3);
    expect((await fetch(`${withoutCaps.url}/healthz`)).status).toBe(200);
  });

  it('without them logs one warning naming both missing capabilities', async () => {
    await withoutCaps.waitForScans(3, 50_000);
    const warnings = withoutCaps.logs().split('\n').filter((l) => /level=warn/.test(l) && /cannot read descriptors/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/msg="missing CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: cannot read descriptors of \d+ processes of other users/);
  });

  it('uid 0 as the DaemonSet runs it (two capabilities, no_new_privs) sees another user\'s listener; uid 0 with none does not', async () => {
    const holderOf = async (run: RunningExporter) =>
      samplesOf(await run.metrics(), 'lsof_listener_processes')
        .filter((s) => s.labels.port === String(otherListener.port))
        .map((s) => ({ user: s.labels.user, process: s.labels.process, value: s.value }));
    expect(await holderOf(rootTwoCaps)).toEqual([{ user: String(OTHER_UID), process: NODE_COMM, value: 1 }]);
    expect(await holderOf(rootNoCaps)).toEqual([{ user: String(OTHER_UID), process: '', value: 0 }]);
    expect(rootNoCaps.logs()).toMatch(/missing CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH/);
    expect(rootTwoCaps.logs()).not.toMatch(/missing CAP_/);
  });
});
