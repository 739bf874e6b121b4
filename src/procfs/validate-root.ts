/** A clear refusal when --path.procfs does not point at a procfs (a typo would scan nothing). */
import fs from 'node:fs';

const PROC_SUPER_MAGIC = 0x9fa0;

export function procfsProblem(root: string, allowFixtureTree = false): string | null {
  let type: number;
  try {
    type = Number(fs.statfsSync(root).type);
  } catch (err) {
    return `cannot read ${root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  if (type === PROC_SUPER_MAGIC) return null;
  // Test fixture trees: a plain folder shaped like /proc, allowed only when asked for.
  if (allowFixtureTree && fs.existsSync(`${root}/1/stat`)) return null;
  return `${root} is not a procfs mount (filesystem type 0x${type.toString(16)})`;
}
