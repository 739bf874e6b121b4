/**
 * /proc/PID/limits: a fixed-width table. We need the soft limit of "Max open files".
 * Returns null for "unlimited" (possible in principle, never for RLIMIT_NOFILE in practice).
 */
export function parseOpenFilesSoftLimit(text: string): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith('Max open files')) continue;
    const soft = line.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return null;
    const value = Number(soft);
    if (!Number.isInteger(value) || value < 0) throw new Error(`limits: bad open files soft limit "${soft}"`);
    return value;
  }
  throw new Error('limits: no "Max open files" line');
}
