/** Worker entry for one open-file search (file-search.ts): reads, answers once, exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { ProcFs } from '../procfs/proc.js';
import type { OpenPathIndex } from '../scan/open-path-index.js';
import { UserNames } from '../scan/user-names.js';
import { findFileHolders, type FileQuery } from './file-holders.js';

const { procfs, rootfs, query, index } = workerData as { procfs: string; rootfs: string; query: FileQuery; index?: OpenPathIndex };
const handle = ProcFs.at(procfs, rootfs);
parentPort!.postMessage(findFileHolders(handle, new UserNames(handle), query, index));
