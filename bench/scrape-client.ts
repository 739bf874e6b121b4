/**
 * The /metrics client of the bench, in its own worker thread: the bench's main thread spawns and
 * kills workload processes (fork and exec block its event loop for milliseconds), and a client on
 * that loop would time its own stalls, not the exporter's. Scrapes back to back and posts each
 * latency with the scan count the response showed, until told to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface ScrapeSample {
  ms: number;
  scans: number;
}

const { url } = workerData as { url: string };
let stopped = false;
parentPort!.on('message', () => (stopped = true));

while (!stopped) {
  const t0 = performance.now();
  const text = await (await fetch(url)).text();
  const ms = performance.now() - t0;
  const scans = Number(/^lsof_scans_total\{result="success"\} (\d+)/m.exec(text)?.[1] ?? 0);
  parentPort!.postMessage({ ms, scans } satisfies ScrapeSample);
}
parentPort!.close();
