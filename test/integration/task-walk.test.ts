/**
 * Issue 14, item 3, its cost: a busy multi-threaded process (its descriptor count moves every scan, so
 * its table is re-read every scan) must not pay two calls per thread every scan, nor the listing of its
 * threads while their number stays. Threads compared once are compared again only on a full walk
 * (every FULL_WALK_EVERY_SCANS scans of the process); a thread that appears meanwhile is compared on
 * the next re-read, and its private table found. On the real
 * kernel: a python3 child (in a network namespace of its own) with 6 sleeping threads that opens one more file on "open", and on "hide"
 * starts a thread that unshares its descriptor table (CLONE_FILES), opens two files there and listens.
 * On both loops: the native one (procfs_fast.c compareTasks) makes the thread calls in C, so its
 * comparisons are counted by the scan (tasksCompared); the TypeScript one's also by the reader.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcFs } from '../../src/procfs/proc.js';
import { ProcReader } from '../../src/procfs/reader.js';
import { Scanner } from '../../src/scan/scanner.js';
import { FULL_WALK_EVERY_SCANS } from '../../src/scan/tasks.js';
import { started, type HeldChild } from '../support/children.js';
import { SKIP_NATIVE } from '../support/native.js';

const CODE = [
  'import ctypes, os, socket, sys, threading, time',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'for _ in range(6): threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()',
  'files = []',
  'def hide():',
  '    assert libc.unshare(0x400) == 0',
  "    own = [open('/etc/passwd'), open('/etc/passwd')]",
  '    s = socket.socket(); s.bind(("0.0.0.0", 0)); s.listen()',
  "    print('listen', s.getsockname()[1], flush=True)",
  '    time.sleep(3600)',
  "print('ready', os.getpid(), 0, flush=True)",
  'for line in sys.stdin:',
  "    if line.startswith('open'): files.append(open('/etc/passwd')); print('opened', len(files), flush=True)",
  "    if line.startswith('hide'): threading.Thread(target=hide, daemon=True).start()",
].join('\n');

/** /proc as the scan sees it, listing only the child, counting the walk's calls into thread folders (fd, ns/net). */
class CountingReader extends ProcReader {
  taskCalls = 0;
  constructor(private readonly pid: () => number) {
    super('/proc', '/');
  }
  override listPids(): number[] {
    return [this.pid()];
  }
  override statSize(file: string): number {
    if (/\/task\/\d+\/fd$/.test(file)) this.taskCalls++;
    return super.statSize(file);
  }
  override readLinkRaw(file: string): string {
    if (/\/task\/\d+\/ns\/net$/.test(file)) this.taskCalls++;
    return super.readLinkRaw(file);
  }
}

interface Child {
  held: HeldChild;
  lines: string[];
  waiters: (() => void)[];
}

/** Sends a command to the child; resolves with the first line since then that matches `reply`. */
function ask(c: Child, command: string, reply: RegExp): Promise<RegExpExecArray> {
  const from = c.lines.length;
  c.held.child.stdin!.write(`${command}\n`);
  return new Promise((resolve) => {
    const check = () => {
      const m = c.lines.slice(from).map((l) => reply.exec(l)).find((x) => x);
      if (m) resolve(m);
      else c.waiters.push(check);
    };
    check();
  });
}

async function startChild(): Promise<Child> {
  // In a network namespace of its own (unshare execs python3: the same pid), so the scans read its
  // socket table only, not the host's (other work's sockets would be holderless in a scan of one pid).
  const held = await started(spawn('unshare', ['--net', 'python3', '-c', CODE], { stdio: ['pipe', 'pipe', 'pipe'] }), 'python3 threads');
  const c: Child = { held, lines: [], waiters: [] };
  readline.createInterface({ input: held.child.stdout! }).on('line', (line) => {
    c.lines.push(line);
    for (const waiter of c.waiters.splice(0)) waiter();
  });
  return c;
}

describe.each([
  { loop: 'native', native: true },
  { loop: 'TypeScript', native: false },
])('the thread walk of a busy multi-threaded process ($loop loop)', ({ native }) => {
  let c: Child;
  beforeAll(async () => {
    c = await startChild();
  });
  afterAll(() => c?.held.stop());

  it('compares each thread once per full walk, compares a new thread at once, and finds its private table', async () => {
    const reader = new CountingReader(() => c.held.pid);
    const procfs = new ProcFs(reader, { native });
    expect(procfs.tasks.native).toBe(native && !SKIP_NATIVE);
    const scanner = new Scanner(procfs, { fdMaxAgeMs: 3_600_000, limitMaxAgeMs: 0, containers: false, deletedFiles: false, memfds: false, exePlacement: false });
    // Each call lists the process's threads (a readdir of /proc/PID/task), in C or in TypeScript.
    let listings = 0;
    const compare = procfs.tasks.compare.bind(procfs.tasks);
    (procfs.tasks as { compare: typeof compare }).compare = (...args) => (listings++, compare(...args));
    /** A scan, with the threads it listed and compared; the TypeScript loop's calls are seen by the reader too. */
    const scan = () => {
      reader.taskCalls = 0;
      listings = 0;
      const ctx = scanner.scan();
      expect(reader.taskCalls).toBe(procfs.tasks.native ? 0 : 2 * ctx.stats.tasksCompared);
      return { ctx, compared: ctx.stats.tasksCompared, listings };
    };
    const first = scan();
    expect(first.listings).toBe(1);
    expect(first.compared).toBeGreaterThanOrEqual(6); // 6 threads: a stat and a readlink each
    expect(scanner.scan().stats.tasksCompared).toBe(0); // cached table: nothing listed or compared

    // Busy: the count moves before every scan, so the table is re-read, but while the number of
    // threads stays, they are not even listed, and no thread is asked again.
    for (let i = 1; i < FULL_WALK_EVERY_SCANS - 2; i++) {
      await ask(c, 'open', new RegExp(`^opened ${i}$`));
      expect(scan(), `scan ${i + 2}`).toMatchObject({ compared: 0, listings: 0 });
    }

    // A thread that appears meanwhile is compared on the next re-read, and its listener attributed.
    const [, port] = await ask(c, 'hide', /^listen (\d+)$/);
    await ask(c, 'open', new RegExp(`^opened ${FULL_WALK_EVERY_SCANS - 2}$`));
    const { ctx, compared, listings: listed } = scan();
    expect({ compared, listed }).toEqual({ compared: 1, listed: 1 });
    expect(ctx.listeners.find((l) => l.port === Number(port))?.holders).toEqual([c.held.pid]);

    // The full walk is due again: every thread is listed and compared.
    await ask(c, 'open', new RegExp(`^opened ${FULL_WALK_EVERY_SCANS - 1}$`));
    const full = scan();
    expect(full.listings).toBe(1);
    expect(full.compared).toBeGreaterThanOrEqual(7);
  });
});
