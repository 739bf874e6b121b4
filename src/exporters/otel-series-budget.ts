/**
 * The OpenTelemetry JS SDK remembers every attribute set an observable instrument has ever seen
 * (for diffs) and never forgets one; past the reader's cardinality limit it folds new sets into an
 * `otel.metric.overflow` series. On a host where pids, paths and ports come and go, that memory grows
 * and, once full, new series would be lost. This budget counts the distinct attribute sets each
 * family has shown since the SDK pipeline was built, and says when the pipeline must be rebuilt:
 * early enough that one more collection can never reach the limit.
 */
export class SeriesBudget {
  private readonly seen = new Map<string, Set<string>>();

  /**
   * @param perCollection most series one family can show in one collection (the model's cap)
   * @param limit the reader's cardinality limit per instrument
   */
  constructor(
    private readonly perCollection: number,
    readonly limit: number,
  ) {
    if (limit <= 2 * perCollection) throw new Error('cardinality limit must exceed twice the series one collection can show');
  }

  note(family: string, key: string): void {
    let keys = this.seen.get(family);
    if (!keys) this.seen.set(family, (keys = new Set()));
    keys.add(key);
  }

  /** True once the next collection could push some family past the limit. */
  get exhausted(): boolean {
    for (const keys of this.seen.values()) if (keys.size + this.perCollection >= this.limit) return true;
    return false;
  }
}

/** Budget for a model capped at maxSeries per family; the fixed families are far smaller. */
export function budgetFor(maxSeries: number): SeriesBudget {
  const perCollection = maxSeries + 100;
  return new SeriesBudget(perCollection, 4 * perCollection);
}
