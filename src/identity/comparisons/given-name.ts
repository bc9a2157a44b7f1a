import type { Person } from '../person.js';
import { NULL_LEVEL, type Comparison } from './comparison.js';
import { phoneticKey, similarity } from './phonetic.js';

const LEVELS = ['exact', 'jaro-winkler-0.92', 'nickname', 'double-metaphone', 'jaro-winkler-0.85', 'swapped', 'else'] as const;

function phonetic(p: Person): string {
  return p.derived?.givenPhonetic[0] ?? phoneticKey(p.given[0] ?? '');
}

function groups(p: Person): readonly string[] {
  return p.derived?.givenGroups ?? [];
}

/** True when a's given name is b's family name and the other way round (FEBRL swaps ~5 %). */
export function namesSwapped(a: Person, b: Person): boolean {
  const ag = a.given[0];
  const bg = b.given[0];
  if (!ag || !bg || !a.family || !b.family) return false;
  return similarity(ag, b.family) >= 0.92 && similarity(a.family, bg) >= 0.92;
}

/** First given name: exact, close spelling, nickname, sounds alike, loosely alike, swapped, else. */
export const givenNameComparison: Comparison = {
  name: 'given-name',
  levels: LEVELS,
  compare(a, b) {
    const x = a.given[0];
    const y = b.given[0];
    if (!x || !y) return NULL_LEVEL;
    if (x === y || x.replace(/ /g, '') === y.replace(/ /g, '')) return 0;
    const jw = similarity(x, y);
    if (jw >= 0.92) return 1;
    const ga = groups(a);
    if (ga.length && groups(b).some((g) => ga.includes(g))) return 2;
    const pa = phonetic(a);
    if (pa && pa === phonetic(b)) return 3;
    if (jw >= 0.85) return 4;
    if (namesSwapped(a, b)) return 5;
    return 6;
  },
  term: (p) => p.given[0],
  show: (p) => p.given.join(' ') || undefined,
};
