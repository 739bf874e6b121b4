/**
 * Writes the fleet into a TSDB with `promtool tsdb create-blocks-from openmetrics`, in 18h blocks:
 * what a Prometheus with the default retention (15d, so blocks of at most 1.5d) has compacted a
 * week of data into. Blocks of 2h (promtool's default) would cost every 7d range 84 block lookups
 * per series, a cost no real Prometheus pays. One input file per block, because promtool re-reads
 * its whole input for every block it cuts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { openMetricsWindow, type Fleet, type SyntheticSeries } from './fleet.js';

const run = promisify(execFile);
const BLOCK_SECONDS = 18 * 3_600;

export interface Backfilled {
  blocks: number;
  samples: number;
}

/** Backfills [fleet.startSeconds, untilSeconds). */
export async function backfillFleet(fleet: Fleet, series: SyntheticSeries[], untilSeconds: number, dataDir: string, workDir: string, parallel = 2): Promise<Backfilled> {
  const windows: [number, number][] = [];
  for (let from = Math.floor(fleet.startSeconds / BLOCK_SECONDS) * BLOCK_SECONDS; from < untilSeconds; from += BLOCK_SECONDS) {
    windows.push([Math.max(from, fleet.startSeconds), Math.min(from + BLOCK_SECONDS, untilSeconds)]);
  }
  let samples = 0;
  let next = 0;
  const worker = async () => {
    while (next < windows.length) {
      const [from, to] = windows[next++]!;
      const input = path.join(workDir, `window-${from}.om`);
      const { text, samples: n } = openMetricsWindow(series, from, to);
      samples += n;
      fs.writeFileSync(input, text);
      await run('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', `--max-block-duration=${BLOCK_SECONDS}s`, input, dataDir], { maxBuffer: 64 * 1024 * 1024 });
      fs.rmSync(input);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { blocks: fs.readdirSync(dataDir).filter((d) => /^[0-9A-Z]{26}$/.test(d)).length, samples };
}
