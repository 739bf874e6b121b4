/**
 * --output.textfile: the same exposition written for node_exporter's textfile collector after each
 * scan. Written to a temp file in the same folder and renamed, so node_exporter never reads half.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Registry } from 'prom-client';

export async function writeTextfile(file: string, registry: Registry): Promise<void> {
  const body = await registry.metrics();
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await fs.writeFile(tmp, body, { mode: 0o644 });
  await fs.rename(tmp, file);
}
