/**
 * Which socket inodes held by descriptors are unix sockets, remembered between scans.
 * /proc/net/unix has one line per unix socket on the host (often the largest socket table, about a
 * microsecond of kernel time per line), and an inode's kind never changes while it lives, so the
 * table is only read when a descriptor holds a non-IP socket inode not classified at the last read
 * (a new or re-read process). Inodes in no table (netlink, packet, ...) are remembered as "other".
 */
import { forEachUnixInode } from '../procfs/net-unix.js';
import type { ProcReader } from '../procfs/reader.js';

export class UnixSocketKinds {
  private unix = new Set<number>();
  private other = new Set<number>();

  /**
   * Make every inode of `candidates` (socket inodes that are not TCP or UDP) classified.
   * @param secondsByNetns time spent per namespace, added to.
   * @returns namespaces whose table could not be read (-1 when nothing had to be read).
   */
  classify(reader: ProcReader, namespaces: Map<string, number[]>, candidates: number[], secondsByNetns: Record<string, number>): number {
    if (candidates.every((i) => this.unix.has(i) || this.other.has(i))) return -1;
    const wanted = new Set(candidates);
    const unix = new Set<number>();
    const keep = (inode: number) => {
      if (wanted.has(inode)) unix.add(inode);
    };
    let errors = 0;
    for (const [netns, pids] of namespaces) {
      const t0 = performance.now();
      if (!readFirst(reader, pids, (text) => forEachUnixInode(text, keep))) errors++;
      secondsByNetns[netns] = (secondsByNetns[netns] ?? 0) + (performance.now() - t0) / 1000;
    }
    // Keep only what descriptors hold now: the sets never outgrow the host's open sockets.
    this.unix = unix;
    this.other = new Set(candidates.filter((i) => !unix.has(i)));
    return errors;
  }

  isUnix(inode: number): boolean {
    return this.unix.has(inode);
  }
}

/**
 * The namespace's table through the first member whose net folder opens. (A member that exits in
 * the middle of the read leaves some inodes typed socket_other until the table is next read.)
 */
function readFirst(reader: ProcReader, pids: number[], onLines: (text: string) => void): boolean {
  for (const pid of pids) {
    try {
      reader.readLines(reader.procPath(pid, 'net', 'unix'), onLines);
      return true;
    } catch {
      // exited, or hides its net folder: try the next member
    }
  }
  return false;
}
