/**
 * --output.textfile: the same exposition written for node_exporter's textfile collector after each
 * scan. Written to a temp file in the same folder and renamed, so node_exporter never reads half.
 * Each write has its own temp name: two overlapping writes (a slow disk, fast scans) must not rename
 * each other's half-written file into place.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Exposition } from './prometheus.js';

export async function writeTextfile(file: string, registry: Exposition): Promise<void> {
  const body = await registry.metrics();
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, body, { mode: 0o644 });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
