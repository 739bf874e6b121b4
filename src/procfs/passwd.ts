/**
 * /etc/passwd and /etc/group: `name:x:ID:...`. Only name and numeric id are used. Comment lines,
 * NIS `+` entries and malformed lines are skipped (returned as counted rejects, never thrown).
 */
export interface IdNames {
  names: Map<number, string>;
  rejectedLines: number;
}

export function parseIdNameFile(text: string): IdNames {
  const names = new Map<number, string>();
  let rejectedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const id = Number(f[2]);
    if (f.length < 3 || f[0] === '' || f[0]!.startsWith('+') || f[0]!.startsWith('-') || f[2] === '' || !Number.isInteger(id)) {
      rejectedLines++;
      continue;
    }
    // First entry wins, as getpwuid(3) returns the first match.
    if (!names.has(id)) names.set(id, f[0]!);
  }
  return { names, rejectedLines };
}
