/**
 * Runs open-file searches in a worker thread of their own, so their readlinks never hold up a
 * scrape; one search at a time (a second one gets 503), and none longer than SEARCH_TIMEOUT_MS (the
 * worker is then ended, and the next search starts a new one). The worker stays for IDLE_MS after a
 * search: a person searching several paths pays its start-up (about half a second on a loaded host)
 * once, and an exporter nobody searches holds no worker at all.
 * The last scan's open-path index goes along with each query: its arrays are SharedArrayBuffer
 * views, so the search worker shares them with the scan worker's cache rather than copying them,
 * and neither the scan nor a scrape waits for the search.
 */
import { Worker } from 'node:worker_threads';
import type { OpenPathIndex } from '../scan/open-path-index.js';
import { ApiError } from './api-error.js';
import type { FileHolders, FileQuery } from './file-holders.js';

const SEARCH_TIMEOUT_MS = 30_000;
const IDLE_MS = 120_000;

export type FileSearch = (query: FileQuery, index?: OpenPathIndex) => Promise<FileHolders>;

/** One search as the worker receives it (file-search-worker.ts). */
export interface SearchRequest {
  query: FileQuery;
  index: OpenPathIndex | undefined;
}

export function createFileSearch(procfs: string, rootfs: string): FileSearch {
  let running = false;
  const worker = new IdleWorker(() => new Worker(new URL('./file-search-worker.js', import.meta.url), { workerData: { procfs, rootfs } }));
  return async (query, index) => {
    if (running) throw new ApiError(503, 'another open-file search is running; try again in a moment');
    running = true;
    try {
      return await worker.ask({ query, index });
    } finally {
      running = false;
    }
  };
}

/** A worker started on demand, ended after IDLE_MS without a request or when one times out or fails. */
class IdleWorker {
  private worker: Worker | undefined;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly start: () => Worker) {}

  ask(request: SearchRequest): Promise<FileHolders> {
    clearTimeout(this.idle);
    const worker = (this.worker ??= this.spawn());
    let timer: NodeJS.Timeout | undefined;
    const off: (() => void)[] = [];
    return new Promise<FileHolders>((resolve, reject) => {
      const on = <A extends unknown[]>(event: string, f: (...a: A) => void) => {
        worker.once(event, f as (...a: unknown[]) => void);
        off.push(() => worker.off(event, f as (...a: unknown[]) => void));
      };
      timer = setTimeout(() => reject(new ApiError(503, `open-file search took longer than ${SEARCH_TIMEOUT_MS / 1000}s`)), SEARCH_TIMEOUT_MS);
      on('message', resolve);
      on('error', reject);
      on('exit', (code: number) => reject(new Error(`open-file search worker exited ${code}`)));
      worker.postMessage(request);
    })
      .then((answer) => {
        this.idle = setTimeout(() => this.end(), IDLE_MS).unref();
        return answer;
      })
      .catch((err: unknown) => {
        this.end(); // stuck in a read, or dead: the next search starts afresh
        throw err;
      })
      .finally(() => {
        clearTimeout(timer);
        for (const f of off) f();
      });
  }

  private spawn(): Worker {
    const w = this.start();
    w.unref(); // an idle search worker does not keep the exporter from exiting
    // A request listens for failures itself; between requests a dead worker is just replaced.
    w.on('error', () => {});
    w.on('exit', () => {
      if (this.worker === w) this.worker = undefined;
    });
    return w;
  }

  private end(): void {
    clearTimeout(this.idle);
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
