/**
 * Watched paths (--watch.path, lsof's `FILE` and `+D DIR`) as the descriptor readers match link
 * texts against them. One rule serves both: a link matches a watch when it names the watched path
 * itself or anything below it on a path-component boundary (`/tmp` matches `/tmp` and `/tmp/a/b`,
 * never `/tmpfoo`; `/etc/shadow` never matches `/etc/shadowx`). A regular file has nothing below it,
 * so a file watch matches only the file, and a path that does not exist yet needs no decision.
 *
 * Matching is by name, on the link text the kernel writes (d_path): a resolved, normalized path with
 * raw bytes, so the watches are kept as raw bytes too (latin1 strings, one char per byte). A link
 * ending in " (deleted)" is matched on the name the file had: it is still held open under it, as lsof
 * lists it. Comparison is byte for byte; the native reader (procfs_fast.c, `under_watch`) applies the
 * same rule to the same bytes.
 */
export interface WatchList {
  /** The configured paths, as given (the `path` label), in configuration order. */
  readonly paths: readonly string[];
  /** The same paths as raw bytes (latin1 strings), as link texts are read. */
  readonly raw: readonly string[];
}

export const NO_WATCHES: WatchList = Object.freeze({ paths: [], raw: [] });

/** No hits: shared by every table that matched nothing (most tables), so it costs no allocation. */
export const NO_HITS = new Uint32Array(0);

export function watchList(paths: readonly string[]): WatchList {
  if (paths.length === 0) return NO_WATCHES;
  return Object.freeze({ paths: [...paths], raw: paths.map((p) => Buffer.from(p, 'utf8').toString('latin1')) });
}

/** `path` (raw, without the deleted suffix) is `watch` or lies below it. */
export function isUnderWatch(path: string, watch: string): boolean {
  if (!path.startsWith(watch)) return false;
  return path.length === watch.length || watch === '/' || path.charCodeAt(watch.length) === 0x2f;
}

/**
 * Counts, per watch, the descriptors of one table whose link falls under it; `add` is called for
 * every link to a path (files and devices, not memfds), without its " (deleted)" suffix. Built
 * lazily: a table with no hit allocates nothing.
 */
export class WatchHits {
  private counts: Uint32Array | undefined;

  constructor(private readonly list: WatchList) {}

  add(path: string): void {
    const raw = this.list.raw;
    for (let i = 0; i < raw.length; i++) {
      if (isUnderWatch(path, raw[i]!)) (this.counts ??= new Uint32Array(raw.length))[i]!++;
    }
  }

  /** [watch index, descriptors, watch index, descriptors, ...] for the watches with hits. */
  pairs(): Uint32Array {
    return this.counts ? hitPairs(this.counts) : NO_HITS;
  }
}

/** Dense counts -> the sparse pairs a cached table keeps (a few bytes per table, not one per watch). */
export function hitPairs(counts: ArrayLike<number>): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) out.push(i, counts[i]!);
  return out.length === 0 ? NO_HITS : Uint32Array.from(out);
}

/** Sum hit pairs of several tables (a process and its threads' own tables) into dense counts. */
export function addHitPairs(into: Map<number, number>, pairs: Uint32Array | undefined): void {
  if (!pairs) return;
  for (let i = 0; i + 1 < pairs.length; i += 2) into.set(pairs[i]!, (into.get(pairs[i]!) ?? 0) + pairs[i + 1]!);
}
