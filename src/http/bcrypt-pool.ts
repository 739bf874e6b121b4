/**
 * bcrypt off the event loop: one worker thread runs the comparisons one at a time from a FIFO queue,
 * so a flood of guesses uses at most one core and never delays a scrape whose credentials are cached.
 * The queue is bounded by the caller (basic auth queues one check per connection, and connections are
 * capped by --web.max-connections); a queued check whose client has gone is dropped before it runs.
 * The thread starts at the first check, and is restarted if it dies.
 */
import { Worker } from 'node:worker_threads';

export interface BcryptRequest {
  id: number;
  password: string;
  hash: string;
}

export interface BcryptAnswer {
  id: number;
  match: boolean;
}

/** The thread's first message: whether it could lower its priority. */
export interface BcryptThreadStart {
  id: -1;
  niceError: string | null;
}

interface Job extends BcryptRequest {
  abandoned: () => boolean;
  resolve: (match: boolean | null) => void;
  reject: (err: Error) => void;
}

/** bcryptjs needs a few kilobytes per comparison: a small heap keeps the thread's RSS small. */
const BCRYPT_THREAD_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 24 };

export class BcryptPool {
  private worker: Worker | null = null;
  private running: Job | null = null;
  private readonly queue: Job[] = [];
  private nextId = 0;

  /** `onStart`: told once per thread whether it runs at a lowered priority (null) or why not. */
  constructor(private readonly onStart: (niceError: string | null) => void = () => {}, private readonly workerUrl = new URL('./bcrypt-worker.js', import.meta.url)) {}

  /** Checks waiting or running. */
  size(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  /** Whether `password` matches `hash`; null when the check was dropped because `abandoned()` said so first. */
  compare(password: string, hash: string, abandoned: () => boolean = () => false): Promise<boolean | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, password, hash, abandoned, resolve, reject });
      this.pump();
    });
  }

  /** Stops the thread; pending checks are rejected. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    for (const job of this.queue.splice(0)) job.reject(new Error('bcrypt pool closed'));
    if (w) await w.terminate();
  }

  private pump(): void {
    while (!this.running) {
      const job = this.queue.shift();
      if (!job) return;
      if (job.abandoned()) {
        job.resolve(null);
        continue;
      }
      this.running = job;
      this.thread().postMessage({ id: job.id, password: job.password, hash: job.hash } satisfies BcryptRequest);
    }
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerUrl, { resourceLimits: BCRYPT_THREAD_LIMITS });
    w.unref(); // an idle bcrypt thread must not keep the exporter from exiting
    w.on('message', (a: BcryptAnswer | BcryptThreadStart) => {
      if ('niceError' in a) this.onStart(a.niceError);
      else this.finish(a.id, (job) => job.resolve(a.match));
    });
    const lost = (err: Error) => {
      if (this.worker !== w) return;
      this.worker = null;
      const id = this.running?.id;
      if (id !== undefined) this.finish(id, (job) => job.reject(err));
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`bcrypt thread exited with code ${code}`)));
    return (this.worker = w);
  }

  private finish(id: number, settle: (job: Job) => void): void {
    const job = this.running;
    if (!job || job.id !== id) return;
    this.running = null;
    settle(job);
    this.pump();
  }
}
