/**
 * The scanner over a procfs-shaped fixture tree with hostile content: odd names, literal
 * " (deleted)" in live file names, garbage stat files, kernel threads, zombies. The exposition it
 * produces is compared with a committed golden file (UPDATE_GOLDEN=1 rewrites it) and must pass
 * `promtool check metrics`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcFs } from '../../src/procfs/proc.js';
import type { ScanContext } from '../../src/scan/context.js';
import { Scanner, type ScannerOptions } from '../../src/scan/scanner.js';
import { makeFakeProc } from '../support/fake-proc.js';
import { samplesOf } from '../support/exposition.js';
import { SKIP_NATIVE } from '../support/native.js';
import { exposition as expositionOf } from '../support/scan-view.js';

const GOLDEN = fileURLToPath(new URL('../fixtures/golden/fixture-exposition.prom', import.meta.url));
/**
 * Timings and versions vary by run; which descriptor path read the tree depends on whether the addon
 * is built (the agreement test below proves both paths give the rest of the exposition equally).
 */
const VOLATILE = /^lsof_(scan_duration_seconds|scan_phase_duration_seconds|scan_socket_table_duration_seconds|scan_last_success_timestamp_seconds|exporter_build_info|collector_duration_seconds|scan_native_fast_path)\b/;
const NO_CACHE: ScannerOptions = { fdMaxAgeMs: 0, limitMaxAgeMs: 0, containers: true, deletedFiles: true };

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1A0B 00000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 5001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5002 1 0000000000000000 100 0 0 10 0
   2: 0100007F:0050 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 5003 1 0000000000000000 100 0 0 10 0
   3: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5004 1 0000000000000000 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6001 1 0000000000000000 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000    33        0 7001 2 0000000000000000 0
`;
const UNIX = `Num       RefCount Protocol Flags    Type St Inode Path
0000000066604e48: 00000003 00000000 00000000 0001 03  8001 /run/x.sock
`;

let fixture: { procfs: string; rootfs: string; dir: string };
let snapshot: ScanContext;
let exposition: string;

beforeAll(async () => {
  const live = '/tmp/lsof-live (deleted)';
  fixture = makeFakeProc({
    net: { tcp: TCP, tcp6: TCP6, udp: UDP, unix: UNIX },
    processes: [
      { pid: 1, comm: 'init', exe: '/sbin/init', fds: { 0: '/dev/null', 1: 'socket:[5004]', 2: 'socket:[8001]' } },
      { pid: 2, comm: 'kthreadd', flags: 0x00208040 },
      { pid: 100, comm: 'nginx', uid: 33, exe: '/usr/sbin/nginx', fds: { 3: 'socket:[5001]', 4: 'socket:[7001]', 5: 'pipe:[1]', 6: 'anon_inode:[eventpoll]' } },
      { pid: 101, comm: 'nginx', uid: 33, exe: '/usr/sbin/nginx', fds: { 3: 'socket:[5001]', 4: 'anon_inode:[eventfd]' } },
      { pid: 200, comm: 'my "evil"\nname\\x', exe: '/opt/bad dir/prog\nx', fds: { 0: 'socket:[5002]', 1: 'socket:[5003]', 2: 'socket:[9999]', 3: 'anon_inode:inotify', 4: `${fixture_live()}` } },
      { pid: 201, comm: 'bytes', commBytes: Buffer.from([0x62, 0xff, 0xfe, 0x21]), exe: '/usr/bin/bytes', fds: { 0: 'socket:[6001]', 1: 'anon_inode:[timerfd]', 2: 'anon_inode:[signalfd]', 3: 'net:[4026531840]' } },
      { pid: 300, comm: 'zombie', state: 'Z' },
      { pid: 301, comm: 'garbage', rawStat: 'this is not a stat line' },
      { pid: 302, comm: 'bomb', rawStat: '302 (bomb' },
    ],
  });
  function fixture_live(): string {
    return live;
  }
  // The fd of pid 200 points at a LIVE file whose name ends in " (deleted)": it must not be reported.
  fs.writeFileSync(live, 'still here');
  snapshot = new Scanner(ProcFs.at(fixture.procfs, fixture.rootfs), NO_CACHE).scan();
  exposition = await expositionOf(snapshot);
});

afterAll(() => {
  fs.rmSync(fixture.dir, { recursive: true, force: true });
  fs.rmSync('/tmp/lsof-live (deleted)', { force: true });
});

describe('scanner on a hostile fixture tree', () => {
  it('skips kernel threads, zombies and unparsable stat files, and counts them by reason', () => {
    expect(snapshot.processes.map((p) => p.pid)).toEqual([1, 100, 101, 200, 201]);
    expect(snapshot.stats.skipped).toMatchObject({ kernel_thread: 1, zombie: 1, unparsable: 2, exited: 0 });
  });

  it('keeps odd names exactly and escapes invalid UTF-8 as \\xNN', () => {
    const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]));
    expect(byPid.get(200)!.comm).toBe('my "evil"\nname\\x');
    expect(byPid.get(200)!.exe).toBe('/opt/bad dir/prog\nx');
    expect(byPid.get(201)!.comm).toBe('b\\xff\\xfe!');
  });

  it('types descriptors using the socket tables', () => {
    const types = new Map(snapshot.processes.map((p) => [p.pid, p.fdTypes]));
    expect(types.get(1)).toMatchObject({ device: 1, socket_tcp: 1, socket_unix: 1 });
    expect(types.get(100)).toMatchObject({ socket_tcp: 1, socket_udp: 1, pipe: 1, anon_eventpoll: 1 });
    expect(types.get(200)).toMatchObject({ socket_tcp: 2, socket_other: 1, anon_inotify: 1, file: 1 });
    expect(types.get(201)).toMatchObject({ socket_tcp: 1, anon_timerfd: 1, anon_signalfd: 1, other: 1 });
  });

  it('never trusts the " (deleted)" text: a live file so named is not reported', () => {
    expect(snapshot.deletedFiles).toEqual([]);
  });

  it('joins listeners to holders; workers sharing a socket are one series', () => {
    const listeners = samplesOf(exposition, 'lsof_listener_processes').map((s) => [s.labels.protocol, s.labels.family, s.labels.address, s.labels.port, s.labels.user, s.labels.process, s.value]);
    expect(listeners).toEqual(
      expect.arrayContaining([
        ['tcp', 'ipv4', '0.0.0.0', '6667', 'www-data', 'nginx', 2],
        ['udp', 'ipv4', '0.0.0.0', '53', 'www-data', 'nginx', 1],
        ['tcp', 'ipv4', '127.0.0.1', '80', 'root', 'my "evil"\\x0aname\\x', 1], // the newline written as \x0a
        ['tcp', 'ipv6', '::1', '8080', 'root', 'b\\xff\\xfe!', 1],
        ['tcp', 'ipv4', '0.0.0.0', '22', 'root', 'init', 1],
      ]),
    );
    expect(listeners).toHaveLength(5);
  });

  it('matches the golden exposition', () => {
    const stable = exposition
      .split('\n')
      .filter((l) => !VOLATILE.test(l))
      .join('\n');
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(GOLDEN, stable);
    expect(stable).toBe(fs.readFileSync(GOLDEN, 'utf8'));
  });

  it.skipIf(SKIP_NATIVE)('gives the same exposition through the TypeScript path as through the native fast path', async () => {
    const expose = async (native: boolean) => {
      const snap = new Scanner(ProcFs.at(fixture.procfs, fixture.rootfs, { native }), NO_CACHE).scan();
      const text = await expositionOf(snap);
      expect(text).toMatch(new RegExp(`^lsof_scan_native_fast_path ${native ? 1 : 0}$`, 'm'));
      return text.split('\n').filter((l) => !VOLATILE.test(l));
    };
    const [fast, slow] = [await expose(true), await expose(false)];
    expect(fast).toEqual(slow);
  });

  it('is a valid exposition for promtool', () => {
    const file = path.join(fixture.dir, 'exposition.prom');
    fs.writeFileSync(file, exposition);
    // promtool check metrics exits non-zero on any problem and prints it.
    const out = execFileSync('sh', ['-c', `promtool check metrics < '${file}' 2>&1; echo "exit=$?"`]).toString();
    expect(out.trim()).toBe('exit=0');
  });
});
