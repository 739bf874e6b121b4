/**
 * /proc/PID/status, the lines that say which process an entry is: Tgid (a /proc/TID entry of a thread
 * answers too, with its leader's Tgid) and NSpid (the pid in each nested pid namespace, outermost first).
 */
export interface StatusIds {
  tgid: number;
  /** Pids from the reader's pid namespace inwards; [pid] on kernels without the NSpid line. */
  nsPids: number[];
}

export function parseStatusIds(text: string, pid: number): StatusIds {
  let tgid: number | undefined;
  let nsPids: number[] = [pid];
  for (const line of text.split('\n')) {
    if (line.startsWith('Tgid:')) tgid = Number(line.slice(5).trim());
    else if (line.startsWith('NSpid:')) nsPids = line.slice(6).trim().split(/\s+/).map(Number);
  }
  if (tgid === undefined || !Number.isInteger(tgid)) throw new Error('status: no Tgid line');
  if (nsPids.some((n) => !Number.isInteger(n))) throw new Error('status: bad NSpid line');
  return { tgid, nsPids };
}
