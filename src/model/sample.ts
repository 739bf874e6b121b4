/** Summing or taking the maximum of values into groups keyed by their label set. */
export class SampleGroups<Labels extends Record<string, string>> {
  private groups = new Map<string, { labels: Labels; value: number }>();

  add(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    const g = this.groups.get(key);
    if (g) g.value += value;
    else this.groups.set(key, { labels, value });
  }

  max(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    const g = this.groups.get(key);
    if (!g) this.groups.set(key, { labels, value });
    else if (value > g.value) g.value = value;
  }

  samples(): { labels: Labels; value: number }[] {
    return [...this.groups.values()];
  }
}
