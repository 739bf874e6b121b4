/**
 * /proc/PID/mountinfo (proc(5)): one mount per line,
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * fields: id, parent, major:minor, root, mount point, mount options, optional fields..., "-",
 * filesystem type, source, super options. Paths escape space, tab, newline and backslash as \\ooo.
 */
export interface MountInfo {
  mountPoint: string;
  fsType: string;
  /** Filesystem-specific options (procfs: hidepid=, subset=). */
  superOptions: string[];
}

export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (fields.length < 10 || dash < 6) continue;
    mounts.push({ mountPoint: unescapeOctal(fields[4]!), fsType: fields[dash + 1]!, superOptions: (fields[dash + 3] ?? '').split(',') });
  }
  return mounts;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
