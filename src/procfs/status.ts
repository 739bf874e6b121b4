/**
 * /proc/PID/status: `Key:\tvalue` lines. We need the name, the uids and the thread count; the kernel escapes
 * newlines and backslashes in Name as `\n` and `\\`, which we undo so the name matches comm.
 */
export interface ProcStatus {
  name: string;
  realUid: number;
  effectiveUid: number;
  /** Threads of the process (a zombie leader with live threads still counts itself); null if absent. */
  threads: number | null;
}

export function parseProcStatus(text: string): ProcStatus {
  let name: string | undefined;
  let uids: number[] | undefined;
  let threads: number | null = null;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^\t/, '');
    if (key === 'Name') name = unescapeName(value);
    else if (key === 'Uid') uids = value.trim().split(/\s+/).map(Number);
    else if (key === 'Threads') threads = parseThreads(value);
  }
  if (name === undefined) throw new Error('status: no Name line');
  if (!uids || uids.length < 2 || uids.some((u) => !Number.isInteger(u))) throw new Error('status: bad Uid line');
  return { name, realUid: uids[0]!, effectiveUid: uids[1]!, threads };
}

function parseThreads(value: string): number | null {
  const n = Number(value.trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

function unescapeName(value: string): string {
  return value.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}
