/**
 * The exporter's version (package.json) and revision (src/revision.ts), from the package root: two
 * levels up from dist/src, one from src (tests run the sources).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readRevision } from './revision.js';

function readPackage(): { root: string; version: string } | null {
  for (const rel of ['../../', '../']) {
    const root = fileURLToPath(new URL(rel, import.meta.url));
    try {
      const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'lsof-exporter') return { root, version: pkg.version };
    } catch {
      // try the next layout
    }
  }
  return null;
}

const pkg = readPackage();

export const VERSION = pkg?.version ?? 'unknown';
/** The git commit the running copy was built from, or "unknown". */
export const REVISION = pkg ? readRevision(pkg.root) : 'unknown';
