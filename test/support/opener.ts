/**
 * A node child that holds each given file open `times` times, and opens one more file per line it
 * reads on stdin (answering "opened"): a process whose descriptor count moves when the test says.
 * Exits when its stdin closes.
 */
import { spawn } from 'node:child_process';
import { started, type HeldChild } from './children.js';

const SCRIPT = `
const fs = require('fs');
const [times, ...files] = process.argv.slice(1);
for (const f of files) for (let i = 0; i < Number(times); i++) fs.openSync(f, 'r');
console.log('ready', process.pid, 0);
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  for (let i; (i = buf.indexOf('\\n')) >= 0; buf = buf.slice(i + 1)) {
    fs.openSync(buf.slice(0, i), 'r');
    console.log('opened');
  }
});
process.stdin.on('end', () => process.exit(0));
`;

export interface Opener extends HeldChild {
  /** Opens `file` in the child; resolves once it is open. */
  open: (file: string) => Promise<void>;
}

export async function startOpener(files: string[], times = 1): Promise<Opener> {
  const child = spawn(process.execPath, ['-e', SCRIPT, String(times), ...files], { stdio: ['pipe', 'pipe', 'pipe'] });
  const held = await started(child, 'opener');
  const open = (file: string) =>
    new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        if (!d.toString().includes('opened')) return;
        child.stdout!.off('data', onData);
        resolve();
      };
      child.stdout!.on('data', onData);
      child.stdin!.write(`${file}\n`);
    });
  return { ...held, open };
}
