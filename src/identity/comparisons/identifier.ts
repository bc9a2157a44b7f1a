import damerauLevenshtein from 'talisman/metrics/damerau-levenshtein.js';
import { NULL_LEVEL, type Comparison } from './comparison.js';

/**
 * Identifiers of a shared system: same value, one keying error apart, or different. Records with
 * no system in common compare as null (different hospitals' MRNs say nothing).
 */
export const identifierComparison: Comparison = {
  name: 'identifier',
  levels: ['exact', 'one-edit', 'else'],
  compare(a, b) {
    let best = NULL_LEVEL;
    for (const x of a.identifiers) {
      for (const y of b.identifiers) {
        if (x.system !== y.system) continue;
        if (x.value === y.value) return 0;
        const level = x.value.length >= 5 && damerauLevenshtein(x.value, y.value) <= 1 ? 1 : 2;
        if (best === NULL_LEVEL || level < best) best = level;
      }
    }
    return best;
  },
  show: (p) => p.identifiers.map((i) => `${i.system}|${i.value}`).join(' ') || undefined,
};
