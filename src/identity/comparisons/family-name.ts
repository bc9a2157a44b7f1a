import type { Person } from '../person.js';
import { NULL_LEVEL, type Comparison } from './comparison.js';
import { namesSwapped } from './given-name.js';
import { phoneticKey, similarity } from './phonetic.js';

const LEVELS = ['exact', 'jaro-winkler-0.92', 'double-metaphone', 'jaro-winkler-0.85', 'swapped', 'else'] as const;

function phonetic(p: Person): string {
  return p.derived?.familyPhonetic[0] ?? phoneticKey(p.family);
}

/** Family name: exact, close spelling, sounds alike, loosely alike, swapped with given, else. */
export const familyNameComparison: Comparison = {
  name: 'family-name',
  levels: LEVELS,
  compare(a, b) {
    const x = a.family;
    const y = b.family;
    if (!x || !y) return NULL_LEVEL;
    if (x === y || x.replace(/ /g, '') === y.replace(/ /g, '')) return 0;
    const jw = similarity(x, y);
    if (jw >= 0.92) return 1;
    const pa = phonetic(a);
    if (pa && pa === phonetic(b)) return 2;
    if (jw >= 0.85) return 3;
    if (namesSwapped(a, b)) return 4;
    return 5;
  },
  term: (p) => p.family || undefined,
  show: (p) => p.family || undefined,
};
