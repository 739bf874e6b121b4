/**
 * lsof's FILE and +D DIR on a descriptor's link text, for the open-file search: the target (its
 * " (deleted)" suffix aside) is the path asked for, or with `under`, anything below it, by the rule
 * the watched paths use (isUnderWatch: /tmp does not match /tmpfoo). The native findFdLinks
 * (procfs_fast.c) applies the same rule in C (under_watch).
 */
import { splitDeletedSuffix } from './deleted-link.js';
import { isUnderWatch } from './watched-paths.js';

export interface LinkQuery {
  /** Absolute, no trailing slash (except "/" itself), UTF-8 as typed. */
  path: string;
  under: boolean;
}

/** A matcher over raw link texts (latin1 views of the kernel's bytes). */
export function linkMatcher(q: LinkQuery): (raw: string) => boolean {
  const want = Buffer.from(q.path, 'utf8').toString('latin1');
  return (raw) => {
    const { path } = splitDeletedSuffix(raw);
    return q.under ? isUnderWatch(path, want) : path === want;
  };
}
