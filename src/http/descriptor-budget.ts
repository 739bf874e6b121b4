/**
 * How many connections the HTTP server may hold without taking the descriptors a scan needs. Node
 * raises its own soft RLIMIT_NOFILE to the hard limit at start (prlimit64), so the limit in force is
 * the one read here, after start, not the one the exporter was launched with.
 */
import fs from 'node:fs';

/**
 * Descriptors kept for everything but connections: a scan holds a few at once (/proc, one process's
 * fd folder, the file it reads), node and its threads about 30, the textfile, the OTLP push and the
 * web config a handful; the rest is margin.
 */
export const NON_CONNECTION_DESCRIPTORS = 256;

/** The soft "Max open files" of a /proc/PID/limits text; null when absent or "unlimited". */
export function parseOpenFilesLimit(text: string): number | null {
  const m = /^Max open files\s+(\d+)\s/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** The exporter's own limit (not the scanned procfs's: --path.procfs may be another pid namespace's). */
export function readOpenFilesLimit(file = '/proc/self/limits'): { limit: number | null; error: string | null } {
  try {
    return { limit: parseOpenFilesLimit(fs.readFileSync(file, 'utf8')), error: null };
  } catch (err) {
    return { limit: null, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
}

/** --web.max-connections, lowered so that connections and the reserve fit under the limit; at least 1. */
export function connectionCap(requested: number, openFilesLimit: number | null): number {
  if (openFilesLimit === null) return requested;
  return Math.max(1, Math.min(requested, openFilesLimit - NON_CONNECTION_DESCRIPTORS));
}
