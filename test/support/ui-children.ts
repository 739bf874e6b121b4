/**
 * Known processes for the page and API tests, on the real /proc:
 *  - a listener whose process name is markup (`<img src=x>"'&`, via a symlink of that name) and whose
 *    executable path holds a newline, markup and an invalid UTF-8 byte;
 *  - a process holding a deleted file whose name is markup with an escape sequence;
 *  - a node TCP listener on loopback.
 * stop() ends them all by pid (closing their stdin) and removes the folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fdholderBinary, startFdHolder, startNodeListener, type HeldChild } from './children.js';

export const HOSTILE_COMM = '<img src=x>"\'&';
/** The executable's file name as bytes: markup, a newline and 0xff (not UTF-8). */
const HOSTILE_EXE_NAME = Buffer.concat([Buffer.from('evil<svg onload=alert(1)>\n'), Buffer.from([0xff])]);
/** How the API reports that name: bytes that are not UTF-8 become the text \xff. */
export const HOSTILE_EXE_TEXT = 'evil<svg onload=alert(1)>\n\\xff';
export const DELETED_NAME = '<script src=x>\x1b[31m"q.log';
export const DELETED_SIZE = 123_457;

export interface UiChildren {
  dir: string;
  hostile: HeldChild;
  deletedHolder: HeldChild;
  deletedPath: string;
  node: HeldChild;
  stop: () => Promise<void>;
}

export async function startUiChildren(): Promise<UiChildren> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-ui-'));
  fs.chmodSync(dir, 0o755);
  const exeBytes = Buffer.concat([Buffer.from(`${dir}/`), HOSTILE_EXE_NAME]);
  fs.copyFileSync(fdholderBinary(), exeBytes);
  fs.chmodSync(exeBytes, 0o755);
  const link = path.join(dir, HOSTILE_COMM);
  fs.symlinkSync(exeBytes, Buffer.from(link));
  const started: HeldChild[] = [];
  try {
    started.push(await startFdHolder(['prefork', '0', '0'], { binary: link }));
    const deletedPath = path.join(dir, DELETED_NAME);
    fs.writeFileSync(deletedPath, Buffer.alloc(DELETED_SIZE, 7));
    started.push(await startFdHolder(['hold', deletedPath]));
    fs.unlinkSync(deletedPath);
    started.push(await startNodeListener({ protocol: 'tcp', host: '127.0.0.1' }));
    const [hostile, deletedHolder, node] = started as [HeldChild, HeldChild, HeldChild];
    return { dir, hostile, deletedHolder, deletedPath, node, stop: () => stopAll(started, dir) };
  } catch (err) {
    await stopAll(started, dir);
    throw err;
  }
}

async function stopAll(children: HeldChild[], dir: string): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
}
