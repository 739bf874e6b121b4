/**
 * The bcrypt thread: compares a password with a hash and answers whether they match. bcrypt costs tens
 * to hundreds of milliseconds of CPU by design; here it never holds up the event loop that serves
 * scrapes. The thread also lowers its own scheduling priority (nice 10; Linux applies setpriority to
 * one thread when given its id), so on a busy host a flood of guesses yields the CPU to scrapes and
 * scans. Where that is refused (e.g. a seccomp filter), it runs at the process's priority and says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import type { BcryptRequest, BcryptAnswer, BcryptThreadStart } from './bcrypt-pool.js';

const NICE = 10;

function lowerOwnPriority(): string | null {
  try {
    // "PID/task/TID": this thread's id, which os.setPriority accepts on Linux
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    os.setPriority(tid, NICE);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

parentPort!.postMessage({ id: -1, niceError: lowerOwnPriority() } satisfies BcryptThreadStart);

parentPort!.on('message', ({ id, password, hash }: BcryptRequest) => {
  let match = false;
  try {
    match = bcrypt.compareSync(password, hash);
  } catch {
    match = false; // a hash bcryptjs cannot use matches nothing (hashes are validated at load)
  }
  parentPort!.postMessage({ id, match } satisfies BcryptAnswer);
});
