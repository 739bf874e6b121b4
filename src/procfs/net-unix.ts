/**
 * /proc/net/unix: `Num RefCount Protocol Flags Type St Inode [Path]`. We need the inode (to type an
 * fd as a unix socket) and the path; the path may contain spaces, so it is everything after Inode.
 */
export interface UnixSocket {
  inode: number;
  path: string;
}

export function parseNetUnix(text: string): UnixSocket[] {
  const out: UnixSocket[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const m = /^\s*\S+:\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\d+)(?: (.*))?$/.exec(line);
    if (!m) throw new Error(`net/unix: bad line "${line.slice(0, 80)}"`);
    out.push({ inode: Number(m[1]), path: m[2] ?? '' });
  }
  return out;
}
