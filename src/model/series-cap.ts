/**
 * The hard cap on series per family: an attacker who opens 10,000 ports or forks processes with
 * random names must not be able to blow up Prometheus. Samples beyond the cap are dropped and the
 * number dropped is reported as lsof_series_dropped{metric}.
 *
 * The cap must not let one account choose who survives it: where samples carry a `user` label, the
 * slots are dealt to the users in turns (round robin), each user's own samples largest value first,
 * so a user with 4,000 series keeps the slots nobody else needs and every other user keeps all of
 * theirs while the total fits. Families without a `user` label keep the largest values. Ties are
 * broken by label text, so the choice is stable between scrapes.
 */
import type { Sample } from '../signals/family.js';
import { compareText } from './compare-text.js';

export function capSamples(samples: Sample[], max: number): { kept: Sample[]; dropped: number } {
  if (samples.length <= max) return { kept: samples, dropped: 0 };
  const kept = samples.some((s) => s.labels.user !== undefined) ? fairShare(samples, max) : largest(samples).slice(0, max);
  return { kept, dropped: samples.length - max };
}

/** Largest value first, ties by label text (each sample's key built once, not per comparison). */
function largest(samples: Sample[]): Sample[] {
  const keyed = samples.map((s) => ({ s, key: labelKey(s) }));
  keyed.sort((a, b) => b.s.value - a.s.value || compareText(a.key, b.key));
  return keyed.map((k) => k.s);
}

/** Round robin over users (in name order), each user's samples largest first. */
function fairShare(samples: Sample[], max: number): Sample[] {
  const byUser = new Map<string, Sample[]>();
  for (const s of samples) {
    const user = s.labels.user ?? '';
    const list = byUser.get(user);
    if (list) list.push(s);
    else byUser.set(user, [s]);
  }
  const queues = [...byUser.keys()].sort().map((u) => largest(byUser.get(u)!));
  const kept: Sample[] = [];
  for (let round = 0; kept.length < max; round++) {
    for (const q of queues) {
      if (round < q.length && kept.length < max) kept.push(q[round]!);
    }
  }
  return kept;
}

function labelKey(s: Sample): string {
  return JSON.stringify(s.labels);
}
