/**
 * Which processes share a network namespace, without the ptrace access that reading /proc/PID/ns/net
 * needs: /proc/PID/net/ is the namespace's own procfs folder, so /proc/PID/net/tcp has one inode per
 * namespace, and stat(2) on it is allowed to anyone who may list the process.
 */
import type { ProcReader } from '../procfs/reader.js';

/** The inode of the process's net/tcp (the same for every member of a namespace), or null if gone. */
export function netTableIdentity(reader: ProcReader, pid: number): string | null {
  try {
    return String(reader.stat(reader.procPath(pid, 'net', 'tcp')).ino);
  } catch {
    return null;
  }
}
