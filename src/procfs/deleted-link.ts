/**
 * "Deleted" as /proc shows it, implemented once: the kernel appends " (deleted)" to the link text of
 * an unlinked file (fd links, exe, cwd), but a live file may carry that text in its own name, so the
 * suffix only makes a candidate; stat(2) through the link confirms it with a link count of 0.
 */
import type { BigIntStats } from 'node:fs';

export const DELETED_SUFFIX = ' (deleted)';

/** The link text without the suffix, and whether it had one. */
export function splitDeletedSuffix(link: string): { path: string; suffixed: boolean } {
  const suffixed = link.endsWith(DELETED_SUFFIX);
  return { path: suffixed ? link.slice(0, -DELETED_SUFFIX.length) : link, suffixed };
}

/** The file behind the link has no name left on any filesystem. */
export function isUnlinked(st: Pick<BigIntStats, 'nlink'>): boolean {
  return st.nlink === 0n;
}
