/**
 * Container labels end to end: listeners moved (we are root) into cgroups laid out as Docker, rootless
 * Podman and a Kubernetes pod under containerd name them, so /proc/PID/cgroup reads exactly as on such
 * a host. The built exporter must label each listener with its container id, runtime and pod uid,
 * leave a host listener's empty, and leave all of them empty with --no-container.labels.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_COMM, startNodeListener, type HeldChild } from '../support/children.js';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { samplesOf } from '../support/exposition.js';
import { moveIntoCgroup, removeCgroups } from '../support/cgroups.js';
import { SLOW_HOST_WAIT_MS, waitForExposition } from '../support/netns-children.js';

const ID = (c: string) => c.repeat(64);
const POD = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const LAYOUTS = {
  docker: { cgroup: `lsof-test/docker/${ID('d')}`, id: ID('d'), runtime: 'docker', pod: '' },
  podmanRootless: {
    cgroup: `lsof-test/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID('e')}.scope/container`,
    id: ID('e'), runtime: 'podman', pod: '',
  },
  kubernetes: {
    cgroup: `lsof-test/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD.replace(/-/g, '_')}.slice/cri-containerd-${ID('f')}.scope`,
    id: ID('f'), runtime: 'containerd', pod: POD,
  },
};

const children: Record<string, HeldChild> = {};
let hostChild: HeldChild;

beforeAll(async () => {
  hostChild = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    const child = await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' });
    children[name] = child;
    moveIntoCgroup(layout.cgroup, child.pid);
  }
});

afterAll(async () => {
  await Promise.all([hostChild, ...Object.values(children)].filter(Boolean).map((c) => c.stop()));
  await removeCgroups(Object.values(LAYOUTS).map(({ cgroup }) => cgroup));
});

async function labelsByPort(args: string[]): Promise<Map<number, string>> {
  const exporter: RunningExporter = await startExporter(args, { waitForFirstScan: false });
  const ours = [hostChild, ...Object.values(children)].map((c) => c.port);
  try {
    return await waitForExposition(exporter.metrics, (text) => {
      const out = new Map<number, string>();
      for (const s of samplesOf(text, 'lsof_listener_processes')) {
        const l = s.labels;
        out.set(Number(l.port), `${l.container_id}|${l.container_runtime}|${l.pod_uid}|${l.netns}|${l.process}`);
      }
      return ours.every((p) => out.has(p)) ? out : undefined;
    }, 'every child listener');
  } finally {
    await exporter.stop();
  }
}

describe('container labels from real cgroup files', () => {
  it('the children really sit in those cgroups', () => {
    for (const [name, layout] of Object.entries(LAYOUTS)) {
      expect(fs.readFileSync(`/proc/${children[name]!.pid}/cgroup`, 'utf8')).toContain(`/${layout.cgroup}\n`);
    }
  });

  it('labels each listener with its container id, runtime and pod uid; the host one with none', async () => {
    const byPort = await labelsByPort([]);
    expect(byPort.get(hostChild.port)).toBe(`||||${NODE_COMM}`);
    for (const [name, layout] of Object.entries(LAYOUTS)) {
      expect(`${name} ${byPort.get(children[name]!.port)}`).toBe(`${name} ${layout.id}|${layout.runtime}|${layout.pod}||${NODE_COMM}`);
    }
  }, SLOW_HOST_WAIT_MS + 30_000);

  it('--no-container.labels leaves them empty', async () => {
    const byPort = await labelsByPort(['--no-container.labels']);
    for (const name of Object.keys(LAYOUTS)) expect(`${name} ${byPort.get(children[name]!.port)}`).toBe(`${name} ||||${NODE_COMM}`);
  }, SLOW_HOST_WAIT_MS + 30_000);
});
