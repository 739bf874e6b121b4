/**
 * parseCgroupContainer on /proc/PID/cgroup files in the layouts the runtimes document: Docker
 * (cgroupfs and systemd drivers, rootless), containerd (Kubernetes with either driver, nerdctl),
 * CRI-O (with its conmon monitor), Podman (rootful, rootless, cgroupfs), cgroup v1, v2 and hybrid;
 * then host processes and hostile text, which must never yield a container.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTAINER_RUNTIMES, parseCgroupContainer, NO_CONTAINER } from '../../src/procfs/cgroup.js';

const DIR = fileURLToPath(new URL('../fixtures/cgroup/', import.meta.url));
const fixture = (name: string) => fs.readFileSync(`${DIR}${name}.cgroup`, 'utf8');

const DOCKER = '3c5d2e1f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d';
const CONTAINERD = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OUTER = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const PODMAN = 'd0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1';
const CRIO = '9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0';
const POD = '2f4b6c1e-8d3a-4f5b-9c7e-1a2b3c4d5e6f';
const STATIC_POD = '6b1c6e2b0f0e4d1a9b3c5d7e9f1a2b3c';

describe('parseCgroupContainer on documented runtime layouts', () => {
  const cases: [fixture: string, id: string, runtime: string, podUid: string][] = [
    ['docker-cgroupfs-v1', DOCKER, 'docker', ''],
    ['docker-cgroupfs-v2', DOCKER, 'docker', ''],
    ['docker-systemd-v1', DOCKER, 'docker', ''],
    ['docker-systemd-v2', DOCKER, 'docker', ''],
    ['docker-rootless-systemd-v2', DOCKER, 'docker', ''],
    ['docker-removed-v2', DOCKER, 'docker', ''],
    ['docker-in-docker-v1', DOCKER, 'docker', ''],
    ['containerd-k8s-systemd-v2', CONTAINERD, 'containerd', POD],
    ['containerd-k8s-systemd-guaranteed-v2', CONTAINERD, 'containerd', POD],
    ['containerd-k8s-cgroupfs-v1', CONTAINERD, 'cri', POD],
    ['containerd-k8s-cgroupfs-guaranteed-v2', CONTAINERD, 'cri', POD],
    ['containerd-k8s-private-cgroupns-v2', CONTAINERD, 'containerd', POD],
    ['containerd-static-pod-systemd-v2', CONTAINERD, 'containerd', STATIC_POD],
    ['containerd-static-pod-cgroupfs-v1', CONTAINERD, 'cri', STATIC_POD],
    ['nerdctl-systemd-v2', CONTAINERD, 'containerd', ''],
    ['kind-node-pod-v2', CONTAINERD, 'containerd', POD],
    ['kind-node-kubelet-v2', OUTER, 'docker', ''],
    ['crio-k8s-systemd-v2', CRIO, 'cri-o', POD],
    ['crio-k8s-cgroupfs-v1', CRIO, 'cri-o', POD],
    ['podman-rootful-systemd-v2', PODMAN, 'podman', ''],
    ['podman-rootless-systemd-v2', PODMAN, 'podman', ''],
    ['podman-pod-systemd-v2', PODMAN, 'podman', ''],
    ['podman-cgroupfs-v1', PODMAN, 'podman', ''],
  ];
  it.each(cases)('%s', (name, id, runtime, podUid) => {
    expect(parseCgroupContainer(fixture(name))).toEqual({ id, runtime, podUid });
  });

  it('docs/metrics.md lists exactly the runtimes the parser reports', () => {
    const doc = fs.readFileSync(fileURLToPath(new URL('../../docs/metrics.md', import.meta.url)), 'utf8');
    const row = /^\| `container_runtime` \|(.*)$/m.exec(doc)![1]!;
    expect([...row.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).sort()).toEqual([...CONTAINER_RUNTIMES].sort());
    expect([...new Set(cases.map((c) => c[2]))].sort()).toEqual([...CONTAINER_RUNTIMES].sort());
  });

  it.each(['crio-conmon-systemd-v2', 'crio-conmon-cgroupfs-v1'])('%s: the monitor is in the pod but is no container', (name) => {
    expect(parseCgroupContainer(fixture(name))).toEqual({ id: '', runtime: '', podUid: POD });
  });

  it.each(['podman-conmon-systemd-v2', 'host-v2', 'host-service-v2', 'host-v1', 'host-user-session-v2'])('%s: no container', (name) => {
    expect(parseCgroupContainer(fixture(name))).toEqual(NO_CONTAINER);
  });

  it('every fixture file is covered by a case', () => {
    const named = new Set([...cases.map((c) => c[0]), 'crio-conmon-systemd-v2', 'crio-conmon-cgroupfs-v1', 'podman-conmon-systemd-v2', 'host-v2', 'host-service-v2', 'host-v1', 'host-user-session-v2']);
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.cgroup')).map((f) => f.slice(0, -'.cgroup'.length));
    expect(files.sort()).toEqual([...named].sort());
  });
});

describe('parseCgroupContainer on odd and hostile text', () => {
  const id = DOCKER;
  it.each([
    ['empty file', ''],
    ['no colons', `/docker/${id}\n`],
    ['one colon', `0:/docker/${id}\n`],
    ['relative path', `0::docker/${id}\n`],
    ['id one digit short', `0::/docker/${id.slice(1)}\n`],
    ['id one digit long', `0::/docker/${id}0\n`],
    ['upper-case hex', `0::/docker/${id.toUpperCase()}\n`],
    ['unknown prefix', `0::/system.slice/mydocker-${id}.scope\n`],
    ['suffix after .scope', `0::/system.slice/docker-${id}.scopes\n`],
    ['bare id outside a runtime folder', `0::/system.slice/${id}\n`],
    ['bare id under a non-pod folder', `0::/kubepods/burstable/${id}\n`],
    ['pod uid too short', `0::/kubepods/burstable/pod2f4b6c1e-8d3a-4f5b-9c7e-1a2b3c4d5e6/${id}\n`],
    ['pod-like slice name without kubepods', `0::/user.slice/foo-pod${POD.replace(/-/g, '_')}.slice\n`],
    ['binary garbage', '\u0000\u00ff:\u0001:\u0002/\u0003\n\n::\n:::::\n'],
  ])('%s: no container', (_name, text) => {
    expect(parseCgroupContainer(text)).toEqual(NO_CONTAINER);
  });

  it('keeps colons that belong to the path', () => {
    expect(parseCgroupContainer(`0::/odd:name/docker-${id}.scope\n`)).toEqual({ id, runtime: 'docker', podUid: '' });
  });

  it('takes the first line that names a container when v1 hierarchies disagree', () => {
    const text = `5:memory:/system.slice/docker-${id}.scope\n1:name=systemd:/libpod_parent/libpod-${PODMAN}\n0::/\n`;
    expect(parseCgroupContainer(text)).toEqual({ id, runtime: 'docker', podUid: '' });
  });

  it('prefers a container on a later line over a pod-only earlier line', () => {
    const text = `2:memory:/kubepods/burstable/pod${POD}\n1:cpu:/kubepods/burstable/pod${POD}/${CONTAINERD}\n`;
    expect(parseCgroupContainer(text)).toEqual({ id: CONTAINERD, runtime: 'cri', podUid: POD });
  });

  it('a pod slice below the innermost container is a pod without container', () => {
    const text = `0::/system.slice/docker-${OUTER}.scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod${POD.replace(/-/g, '_')}.slice\n`;
    expect(parseCgroupContainer(text)).toEqual({ id: '', runtime: '', podUid: POD });
  });

  it('labels only ever hold lower-case hex and dashes, whatever the cgroup names', () => {
    const text = `0::/"evil\\x"/docker-${id}.scope/a b\n`;
    const c = parseCgroupContainer(text);
    expect(c).toEqual({ id, runtime: 'docker', podUid: '' });
    expect(`${c.id}${c.podUid}`).toMatch(/^[0-9a-f-]*$/);
  });

  it('handles a very long line without trouble', () => {
    const text = `0::/${'kubepods-'.repeat(20_000)}pod\n`;
    expect(parseCgroupContainer(text)).toEqual(NO_CONTAINER);
  });
});
