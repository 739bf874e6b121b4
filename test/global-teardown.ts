/** After the whole run: undo the bind mounts of test/support/exporter-process.ts mainJsForAnyUid(). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = path.join(os.tmpdir(), 'lsof-checkout-');

export default function setup(): () => void {
  return () => {
    const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '');
    for (const m of mounts.filter((p) => p.startsWith(PREFIX))) execFileSync('umount', ['--lazy', m]);
    for (const name of fs.readdirSync(os.tmpdir())) {
      const dir = path.join(os.tmpdir(), name);
      if (!dir.startsWith(PREFIX)) continue;
      // Never recursive: a folder still mounted must fail here, not lose the checkout behind it.
      fs.rmSync(path.join(dir, 'package.json'), { force: true });
      for (const sub of ['dist', 'node_modules']) if (fs.existsSync(path.join(dir, sub))) fs.rmdirSync(path.join(dir, sub));
      fs.rmdirSync(dir);
    }
  };
}
