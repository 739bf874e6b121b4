/**
 * /proc/PID/stat: one line, `pid (comm) state ppid ... starttime ...` (proc(5)).
 * comm may itself contain spaces and parentheses, so fields are counted from the LAST ')'.
 */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Kernel task flags (field 9); PF_KTHREAD marks kernel threads. */
  flags: number;
  /** Start time in clock ticks since boot (field 22): with pid, the identity of a process. */
  startTime: number;
}

const PF_KTHREAD = 0x00200000;

export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('stat: no (comm) field');
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).trim().split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  if (rest.length < 20) throw new Error(`stat: expected at least 22 fields, got ${rest.length + 2}`);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0]!,
    ppid: Number(rest[1]),
    flags: Number(rest[6]),
    startTime: Number(rest[19]),
  };
  if (!Number.isInteger(pid) || !Number.isFinite(stat.startTime) || !Number.isFinite(stat.ppid)) {
    throw new Error('stat: non-numeric pid, ppid or starttime');
  }
  return stat;
}

export function isKernelThread(stat: ProcStat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}
