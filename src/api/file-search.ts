/**
 * Runs an open-file search in a worker thread of its own, so its readlinks never hold up a scrape;
 * one search at a time (a second one gets 503), and none longer than SEARCH_TIMEOUT_MS. The last
 * scan's open-path index goes along in workerData: its arrays are SharedArrayBuffer views, so the
 * search worker shares them with the scan worker's cache rather than copying them, and neither the
 * scan nor a scrape waits for the search.
 */
import { Worker } from 'node:worker_threads';
import { ApiError } from './api-error.js';
import type { OpenPathIndex } from '../scan/open-path-index.js';
import type { FileHolders, FileQuery } from './file-holders.js';

const SEARCH_TIMEOUT_MS = 30_000;

export type FileSearch = (query: FileQuery, index?: OpenPathIndex) => Promise<FileHolders>;

export function createFileSearch(procfs: string, rootfs: string): FileSearch {
  let running = false;
  return async (query, index) => {
    if (running) throw new ApiError(503, 'another open-file search is running; try again in a moment');
    running = true;
    try {
      return await runWorker(procfs, rootfs, query, index);
    } finally {
      running = false;
    }
  };
}

function runWorker(procfs: string, rootfs: string, query: FileQuery, index: OpenPathIndex | undefined): Promise<FileHolders> {
  const worker = new Worker(new URL('./file-search-worker.js', import.meta.url), { workerData: { procfs, rootfs, query, index } });
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
