/**
 * Listeners inside namespaces the test creates itself (`unshare`, we are root): a fresh network
 * namespace with its loopback up, optionally a new PID and mount namespace with its own /proc, and
 * optionally another uid (setpriv). Each child prints "ready <pid> <port>" like children.ts; in a new
 * PID namespace that pid is the namespace's own (1), so hostPid is looked up by parentage.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { parseProcStat } from '../../src/procfs/stat.js';
import { started, type HeldChild } from './children.js';
import { waitFor } from './wait.js';

export interface NamespacedChild extends HeldChild {
  /** The pid of the listening process as the host's /proc numbers it. */
  hostPid: number;
  /** Its network namespace inode, as /proc/PID/ns/net names it. */
  netns: string;
}

export interface NamespaceSpec {
  /** New PID and mount namespace with /proc remounted (unshare --fork, the listener is PID 1). */
  pidAndMount?: boolean;
  uid?: number;
}

/** Runs argv in a new network namespace (and more, see spec), with lo up, exec'd so the pid stays. */
export async function startInNamespace(argv: string[], spec: NamespaceSpec = {}): Promise<NamespacedChild> {
  const unshareFlags = spec.pidAndMount ? ['--net', '--pid', '--mount-proc', '--kill-child'] : ['--net'];
  const drop = spec.uid === undefined ? [] : ['setpriv', `--reuid=${spec.uid}`, `--regid=${spec.uid}`, '--clear-groups'];
  const child = spawn('unshare', [...unshareFlags, 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...drop, ...argv], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const held = await started(child, `unshare ${unshareFlags.join(' ')} ${argv[0]}`);
  const hostPid = spec.pidAndMount ? await childOf(child.pid!) : child.pid!;
  return { ...held, hostPid, netns: netnsOfPid(hostPid) };
}

export function netnsOfPid(pid: number): string {
  return /^net:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/ns/net`))![1]!;
}

/** The one child of `parent` (unshare --fork), found by the ppid in each /proc/PID/stat. */
function childOf(parent: number): Promise<number> {
  return waitFor(() => {
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (parseProcStat(fs.readFileSync(`/proc/${name}/stat`, 'latin1')).ppid === parent) return Number(name);
      } catch {
        // gone while we looked
      }
    }
    return undefined;
  }, `the forked child of ${parent}`, 10_000);
}

/** A node process listening on 127.0.0.1:port (tcp) until its stdin closes. */
export function nodeTcpListenerArgv(port: number): string[] {
  const script = `const s=require('net').createServer();s.listen(${port},'127.0.0.1',()=>console.log('ready',process.pid,s.address().port));process.stdin.on('end',()=>process.exit(0));process.stdin.resume();`;
  return [process.execPath, '-e', script];
}

/**
 * Polls an exporter's /metrics until `pick` finds what the test waits for. Scans of a busy host can
 * take many seconds (other suites run hundreds of processes), so the deadline is long but bounded.
 */
export async function waitForExposition<T>(metrics: () => Promise<string>, pick: (exposition: string) => T | undefined, what: string): Promise<T> {
  return waitFor(async () => pick(await metrics()), what, SLOW_HOST_WAIT_MS, 250);
}

export const SLOW_HOST_WAIT_MS = 120_000;
