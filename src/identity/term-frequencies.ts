import { COMPARISONS, type ComparisonName } from './comparisons/registry.js';
import type { Person } from './person.js';

/** Relative frequency of each value, per comparison that has a `term` (names, birth place). */
export type TermFrequencies = Readonly<Partial<Record<ComparisonName, ReadonlyMap<string, number>>>>;

/** Count values in the index's own records (Splink computes the same table from the input data). */
export function buildTermFrequencies(records: readonly Person[]): TermFrequencies {
  const out: Partial<Record<ComparisonName, ReadonlyMap<string, number>>> = {};
  for (const [name, comparison] of Object.entries(COMPARISONS) as [ComparisonName, (typeof COMPARISONS)[ComparisonName]][]) {
    const term = comparison.term;
    if (!term) continue;
    const counts = new Map<string, number>();
    let total = 0;
    for (const r of records) {
      const v = term(r);
      if (!v) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
      total++;
    }
    if (total === 0) continue;
    for (const [k, c] of counts) counts.set(k, c / total);
    out[name] = counts;
  }
  return Object.freeze(out);
}
