/**
 * Parameters of the live routes. The pid in /api/v1/processes/:pid: Only digits reach the procfs: "../", "self", signs, spaces,
 * exponents and numbers past the kernel's PID_MAX_LIMIT are refused before anything is read.
 */
import { ApiError } from './api-error.js';

/** include/linux/threads.h: no pid is ever larger (4M on 64-bit). */
export const PID_MAX_LIMIT = 4_194_304;

export function parsePidParam(value: string): number {
  if (!/^[1-9][0-9]{0,6}$/.test(value) || Number(value) > PID_MAX_LIMIT) {
    throw new ApiError(400, `pid must be a whole number from 1 to ${PID_MAX_LIMIT}, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return Number(value);
}

/** A 0/1 query parameter (absent is 0). */
export function parseFlagParam(value: string | null, name: string): boolean {
  if (value !== null && value !== '0' && value !== '1') throw new ApiError(400, `${name} must be 0 or 1`);
  return value === '1';
}
