/**
 * The bound paths of a few unix sockets out of /proc/net/unix (`Num RefCount Protocol Flags Type St
 * Inode [Path]`), without a string or object per line: the table has a line per unix socket of the
 * namespace (150k on a busy host) and one process holds a handful. Takes whole lines in any number of
 * pieces; the header and unreadable lines are skipped. Paths stay raw latin1 text.
 */
export function collectUnixPaths(text: string, wanted: ReadonlySet<number>, out: Map<number, string>): void {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const inodeAt = fieldStart(text, start, end, 7);
    if (inodeAt >= 0) {
      let i = inodeAt;
      let inode = 0;
      for (let c = text.charCodeAt(i); c >= 48 && c <= 57 && i < end; c = text.charCodeAt(++i)) inode = inode * 10 + (c - 48);
      if (i > inodeAt && wanted.has(inode)) out.set(inode, i < end ? text.slice(i + 1, end) : '');
    }
    start = end + 1;
  }
}

/** Where the n-th space-separated field of text[start, end) begins, or -1. */
function fieldStart(text: string, start: number, end: number, n: number): number {
  let i = start;
  for (let field = 1; ; field++) {
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (i >= end) return -1;
    if (field === n) return i;
    while (i < end && text.charCodeAt(i) !== 32) i++;
  }
}
