/** One series value: the shape every output (prom-client, OTel, JSON) consumes. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Sum values into groups keyed by their label set. */
export class SampleGroups {
  private groups = new Map<string, Sample>();

  add(labels: Record<string, string>, value: number): void {
    const key = JSON.stringify(labels);
    const g = this.groups.get(key);
    if (g) g.value += value;
    else this.groups.set(key, { labels, value });
  }

  max(labels: Record<string, string>, value: number): void {
    const key = JSON.stringify(labels);
    const g = this.groups.get(key);
    if (!g) this.groups.set(key, { labels, value });
    else if (value > g.value) g.value = value;
  }

  samples(): Sample[] {
    return [...this.groups.values()];
  }
}
