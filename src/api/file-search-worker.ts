/** Worker entry for open-file searches (file-search.ts): answers each request in turn. */
import { parentPort, workerData } from 'node:worker_threads';
import { ProcFs } from '../procfs/proc.js';
import { UserNames } from '../scan/user-names.js';
import { findFileHolders } from './file-holders.js';
import type { SearchRequest } from './file-search.js';

const { procfs, rootfs } = workerData as { procfs: string; rootfs: string };
const handle = ProcFs.at(procfs, rootfs);
const users = new UserNames(handle);
parentPort!.on('message', ({ query, index }: SearchRequest) => parentPort!.postMessage(findFileHolders(handle, users, query, index)));
