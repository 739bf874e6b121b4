/**
 * Orders strings by UTF-16 code unit, as `Array.prototype.sort()` does with no comparator. Used
 * instead of `localeCompare` wherever the worker or the main thread sorts label text: the order only
 * has to be stable between scans, not readable, and `localeCompare` loads ICU's collation data (pages
 * of the node binary that then stay resident: about 10 MiB of RSS on the official Node binaries) and
 * costs a collator call per comparison, tens of thousands per scan on a host with a listener flood.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
