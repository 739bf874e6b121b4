/**
 * Whether the native agreement tests can run. Without a C toolchain `npm ci` cannot build the addon
 * and the suite runs on the TypeScript path, skipping them with the reason; where a toolchain is
 * present, or under CI (which installs one), a missing addon is a failure, not a skip.
 */
import { execFileSync } from 'node:child_process';
import { loadNative } from '../../src/procfs/native.js';

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missingTools = ['python3', 'make', 'g++'].filter((t) => !hasCommand(t));
const loaded = loadNative();

/** Skip the native agreement tests: no addon, no toolchain to build one, and not under CI. */
export const SKIP_NATIVE = loaded.native === undefined && missingTools.length > 0 && process.env.CI !== 'true';

if (SKIP_NATIVE) {
  process.stderr.write(`native agreement tests skipped: the addon is not built (${loaded.reason}) and there is no C toolchain (missing: ${missingTools.join(', ')})\n`);
}
