/** Worker thread entry: runs the ScanLoop off the HTTP event loop and posts its results. */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerConfig, WorkerMessage } from './messages.js';
import { ScanLoop } from './scan-loop.js';

const port = parentPort;
if (!port) throw new Error('scan-worker must run as a worker thread');
const loop = new ScanLoop(workerData as WorkerConfig, (m: WorkerMessage) => port.postMessage(m));
port.on('message', (m: { type: string }) => {
  if (m.type === 'stop') {
    loop.stop();
    port.close();
  }
});
loop.start();
