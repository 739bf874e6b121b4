/**
 * Pod names for pod_uid through kube-state-metrics, in a real Prometheus: the exporter scans a
 * listener moved into a cgroup laid out as a Kubernetes pod's (we are root), Prometheus scrapes it and
 * a stand-in for kube-state-metrics serving a synthetic kube_pod_info for that pod. The runbook's query
 * (taken from docs/runbooks.md) must name the pod, and the Listeners dashboard's table (taken from the
 * committed JSON) must show its namespace and pod while keeping the host's listener, once each.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENER_POD_QUERY } from '../../alerts/src/kube-pod-names.js';
import { NODE_COMM, startNodeListener, type HeldChild } from '../support/children.js';
import { dashboardQueries, substituteVariables } from '../support/dashboard-queries.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus-server.js';
import { moveIntoCgroup, removeCgroups } from '../support/cgroups.js';
import { SLOW_HOST_WAIT_MS } from '../support/netns-children.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POD = '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
const UNLISTED_POD = '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4';
const TOP = `lsof-k8s-${process.pid}`;
const podCgroup = (uid: string, c: string) =>
  `${TOP}/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid.replace(/-/g, '_')}.slice/cri-containerd-${c.repeat(64)}.scope`;

/** What kube-state-metrics serves for two pods, one of them ours; node and owner labels as it has them. */
const KUBE_POD_INFO = [
  '# HELP kube_pod_info Information about pod.',
  '# TYPE kube_pod_info gauge',
  `kube_pod_info{namespace="shop",pod="web-6c9f7",uid="${POD}",node="node-1",created_by_kind="ReplicaSet",created_by_name="web-6c9f",priority_class="",host_network="false"} 1`,
  'kube_pod_info{namespace="kube-system",pod="coredns-0",uid="0a0b0c0d-1111-4222-8333-444455556666",node="node-1",created_by_kind="ReplicaSet",created_by_name="coredns",priority_class="system-cluster-critical",host_network="false"} 1',
  '',
].join('\n');

let host: HeldChild;
let inPod: HeldChild;
let inUnlistedPod: HeldChild;
let ksm: http.Server;
let exporter: RunningExporter;
let prometheus: RunningPrometheus;
let instance: string;

function listenersTable(): { refId: string; expr: string }[] {
  const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'dashboards/listeners.json'), 'utf8')) as Parameters<typeof dashboardQueries>[0];
  return dashboardQueries(dashboard)
    .filter((q) => q.source === 'Current listeners')
    .map((q) => ({
      refId: q.refId,
      expr: substituteVariables(q.expr, { job: 'lsof', instance: '.+', container_id: '.*', __range: '60s', __interval: '1s' }),
    }));
}

describe('pod names from kube-state-metrics in a real Prometheus', () => {
  beforeAll(async () => {
    host = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    inPod = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    inUnlistedPod = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    moveIntoCgroup(podCgroup(POD, 'a'), inPod.pid);
    moveIntoCgroup(podCgroup(UNLISTED_POD, 'b'), inUnlistedPod.pid);
    ksm = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(KUBE_POD_INFO));
    await new Promise<void>((r) => ksm.listen(0, '127.0.0.1', r));
    exporter = await startExporter();
    instance = `127.0.0.1:${exporter.port}`;
    prometheus = await startPrometheus({
      targets: [instance],
      extraScrapeConfigs: [
        { job_name: 'kube-state-metrics', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${(ksm.address() as AddressInfo).port}`] }] },
      ],
    });
    const ours = [host, inPod, inUnlistedPod].map((c) => `port="${c.port}"`);
    await waitFor(async () => {
      const seen = await prometheus.query(`lsof_listener_processes{instance="${instance}"}`);
      const ksmUp = await prometheus.query('kube_pod_info');
      return ksmUp.length === 2 && ours.every((p) => seen.some((s) => `port="${s.metric.port}"` === p));
    }, 'the listeners and kube_pod_info in Prometheus', SLOW_HOST_WAIT_MS, 250);
  }, SLOW_HOST_WAIT_MS + 120_000);

  afterAll(async () => {
    await Promise.all([host, inPod, inUnlistedPod].filter(Boolean).map((c) => c.stop()));
    await exporter?.stop();
    await prometheus?.stop();
    await new Promise((r) => (ksm ? ksm.close(r) : r(undefined)));
    await removeCgroups([podCgroup(POD, 'a'), podCgroup(UNLISTED_POD, 'b')]);
  });

  it('the runbook query, as docs/runbooks.md prints it, names the pod of a listener', async () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs/runbooks.md'), 'utf8')).toContain(LISTENER_POD_QUERY);
    const forPort = (port: number) => LISTENER_POD_QUERY.replace('<instance>', instance).replace('<port>', String(port));
    const [named, ...more] = await prometheus.query(forPort(inPod.port));
    expect(more).toEqual([]);
    expect(named?.metric).toMatchObject({ instance, port: String(inPod.port), process: NODE_COMM, pod_uid: POD, namespace: 'shop', pod: 'web-6c9f7' });
    // A host process, and a pod kube-state-metrics does not list, have no pod name.
    expect(await prometheus.query(forPort(host.port))).toEqual([]);
    expect(await prometheus.query(forPort(inUnlistedPod.port))).toEqual([]);
  });

  it('the Listeners table shows namespace and pod where known and keeps every listener once', async () => {
    const table = listenersTable();
    expect(table.map((q) => q.refId)).toEqual(['A', 'B']);
    for (const { refId, expr } of table) {
      // B's subquery steps on whole seconds: a series a second old may not be in it yet.
      const rows = await waitFor(async () => {
        const all = (await prometheus.query(expr)).filter((r) => r.metric.instance === instance);
        return [host, inPod, inUnlistedPod].every((c) => all.some((r) => r.metric.port === String(c.port))) ? all : undefined;
      }, `${refId}: rows of the three listeners`, 20_000, 250);
      const byPort = (port: number) => rows.filter((r) => r.metric.port === String(port)).map((r) => r.metric);
      expect(byPort(inPod.port), refId).toEqual([expect.objectContaining({ pod_uid: POD, namespace: 'shop', pod: 'web-6c9f7' })]);
      expect(byPort(inUnlistedPod.port), refId).toEqual([expect.objectContaining({ pod_uid: UNLISTED_POD })]);
      expect(byPort(inUnlistedPod.port)[0], refId).not.toHaveProperty('pod');
      expect(byPort(host.port), refId).toHaveLength(1); // Prometheus drops the empty pod_uid label
      expect(byPort(host.port)[0], refId).not.toHaveProperty('namespace');
    }
  });
});
