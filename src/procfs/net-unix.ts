/**
 * /proc/net/unix: `Num RefCount Protocol Flags Type St Inode [Path]`. We need the inode (to type an
 * fd as a unix socket) and the path; the path may contain spaces, so it is everything after Inode.
 * The table has one line per unix socket (often the largest socket table of a host), so lines are
 * cut with indexOf rather than a regular expression.
 */
export interface UnixSocket {
  inode: number;
  path: string;
}

export function parseNetUnix(text: string): UnixSocket[] {
  const out: UnixSocket[] = [];
  let start = text.indexOf('\n') + 1; // skip the header
  while (start > 0 && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) out.push(parseUnixLine(text.slice(start, end)));
    start = end + 1;
  }
  return out;
}

/** Fields 1-6 are single tokens; field 7 is the inode; the rest of the line (after one space) is the path. */
function parseUnixLine(line: string): UnixSocket {
  let i = 0;
  let field = 0;
  let inodeStart = -1;
  let numberEndsWithColon = false;
  while (i < line.length) {
    while (line.charCodeAt(i) === 32) i++;
    if (i >= line.length) break;
    const tokenStart = i;
    while (i < line.length && line.charCodeAt(i) !== 32) i++;
    if (++field === 1) numberEndsWithColon = line.charCodeAt(i - 1) === 58;
    if (field === 7) {
      inodeStart = tokenStart;
      break;
    }
  }
  const inodeText = inodeStart < 0 ? '' : line.slice(inodeStart, i);
  if (!numberEndsWithColon || !/^\d+$/.test(inodeText)) throw new Error(`net/unix: bad line "${line.slice(0, 80)}"`);
  return { inode: Number(inodeText), path: i < line.length ? line.slice(i + 1) : '' };
}

/**
 * Just the inodes (field 7) of /proc/net/unix, without allocating per line: the scanner needs only
 * these, for tables of a hundred thousand sockets. Lines it cannot read (the header among them) are
 * skipped, so the table may come in pieces of whole lines. The strict parser above is for callers
 * that need the path.
 */
export function forEachUnixInode(text: string, fn: (inode: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let field = 0;
    let inode = -1;
    while (i < n && text.charCodeAt(i) !== 10) {
      while (text.charCodeAt(i) === 32) i++;
      if (++field === 7) {
        let c = text.charCodeAt(i);
        if (c >= 48 && c <= 57) inode = 0; // the header says "Inode" here
        while (c >= 48 && c <= 57) {
          inode = inode * 10 + (c - 48);
          c = text.charCodeAt(++i);
        }
      }
      while (i < n && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 10) i++;
      if (field === 7) break;
    }
    if (inode > 0) fn(inode);
    const eol = text.indexOf('\n', i);
    i = eol < 0 ? n : eol + 1;
  }
}
