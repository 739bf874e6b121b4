/**
 * The native addon is built for the node that runs the suite: scripts/test rebuilds it for each Node
 * line it runs (the machine's and the LTS binaries in scripts/node-lts) against that node's own
 * headers. N-API would load an addon built for another version, so only the build record can tell.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BUILD = fileURLToPath(new URL('../../native/build/', import.meta.url));

/** node-gyp's record of the build (native/build/config.gypi), a Python literal: read by pattern. */
function gypVariable(text: string, name: string): string | undefined {
  return new RegExp(`"${name}": "?([^",\\n]*)"?,?\\n`).exec(text)?.[1];
}

describe('native addon build', () => {
  it('was built against the headers of the node running the suite (node native/build.mjs rebuilds it)', () => {
    const gypi = fs.readFileSync(path.join(BUILD, 'config.gypi'), 'utf8');
    expect(gypVariable(gypi, 'node_module_version')).toBe(process.versions.modules);
    const nodedir = gypVariable(gypi, 'nodedir')!;
    const header = fs.readFileSync(path.join(nodedir, 'include/node/node_version.h'), 'utf8');
    const part = (p: string) => new RegExp(`#define NODE_${p}_VERSION (\\d+)`).exec(header)?.[1];
    expect(`${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`).toBe(process.versions.node);
    expect(fs.existsSync(path.join(BUILD, 'Release/lsof_native.node'))).toBe(true);
  });
});
