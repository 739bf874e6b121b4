/**
 * Runs an open-file search in a worker thread of its own, so a second of readlinks never holds up a
 * scrape; one search at a time (a second one gets 503), and none longer than SEARCH_TIMEOUT_MS.
 */
import { Worker } from 'node:worker_threads';
import { ApiError } from './api-error.js';
import type { FileHolders, FileQuery } from './file-holders.js';

const SEARCH_TIMEOUT_MS = 30_000;

export function createFileSearch(procfs: string, rootfs: string): (query: FileQuery) => Promise<FileHolders> {
  let running = false;
  return async (query) => {
    if (running) throw new ApiError(503, 'another open-file search is running; try again in a moment');
    running = true;
    try {
      return await runWorker(procfs, rootfs, query);
    } finally {
      running = false;
    }
  };
}

function runWorker(procfs: string, rootfs: string, query: FileQuery): Promise<FileHolders> {
  const worker = new Worker(new URL('./file-search-worker.js', import.meta.url), { workerData: { procfs, rootfs, query } });
  let timer: NodeJS.Timeout | undefined;
  return new Promise<FileHolders>((resolve, reject) => {
    timer = setTimeout(() => reject(new ApiError(503, `open-file search took longer than ${SEARCH_TIMEOUT_MS / 1000}s`)), SEARCH_TIMEOUT_MS);
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`open-file search worker exited ${code}`)));
  }).finally(() => {
    clearTimeout(timer);
    void worker.terminate();
  });
}
