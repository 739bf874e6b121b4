// `npm ci` / `npm install` run this (package.json "install"): build the optional native fast path
// (procfs_fast.c, N-API) with the node-gyp that npm bundles. Without a C toolchain (python3, make,
// gcc/g++) or with LSOF_EXPORTER_NATIVE=0 it says why and exits 0: the exporter then runs its pure
// TypeScript path, which gives the same answers at a higher CPU cost (README "Cost").
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const say = (msg) => console.error(`lsof-exporter native: ${msg}`);

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((p) => p && fs.existsSync(p));
}

/** Build against the headers installed beside this node (Debian's nodejs) rather than downloading them. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function main() {
  if (process.env.LSOF_EXPORTER_NATIVE === '0') return say('skipped (LSOF_EXPORTER_NATIVE=0); using the TypeScript path');
  const gyp = nodeGyp();
  if (!gyp) return say('node-gyp not found; using the TypeScript path');
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--directory=${here}`, ...nodedirArgs()], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status === 0) return say('built native/build/Release/lsof_native.node');
  const reason = (r.stderr ?? '').split('\n').find((l) => /error|not found|ERR! stack Error/i.test(l)) ?? `node-gyp exited ${r.status}`;
  say(`not built (${reason.trim()}); using the TypeScript path. Install python3, make and g++, then run "node native/build.mjs", for the fast path.`);
}

main();
