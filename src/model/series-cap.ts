/**
 * The hard cap on series per family: an attacker who opens 10,000 ports or forks processes with
 * random names must not be able to blow up Prometheus. Samples beyond the cap are dropped, largest
 * values kept first (ties broken by label text, so the choice is stable between scrapes), and the
 * number dropped is reported as lsof_series_dropped{family}.
 */
import type { Sample } from '../signals/family.js';

export function capSamples(samples: Sample[], max: number): { kept: Sample[]; dropped: number } {
  if (samples.length <= max) return { kept: samples, dropped: 0 };
  const sorted = [...samples].sort((a, b) => b.value - a.value || labelKey(a).localeCompare(labelKey(b)));
  return { kept: sorted.slice(0, max), dropped: samples.length - max };
}

function labelKey(s: Sample): string {
  return JSON.stringify(s.labels);
}
