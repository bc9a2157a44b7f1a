import { NULL_LEVEL, type Comparison } from './comparison.js';

/** Any shared number; the last seven digits catch a changed or missing area/country prefix. */
export const phoneComparison: Comparison = {
  name: 'phone',
  levels: ['exact', 'last-7-digits', 'else'],
  compare(a, b) {
    if (!a.phone.length || !b.phone.length) return NULL_LEVEL;
    if (a.phone.some((p) => b.phone.includes(p))) return 0;
    const tails = new Set(a.phone.filter((p) => p.length >= 7).map((p) => p.slice(-7)));
    if (b.phone.some((p) => p.length >= 7 && tails.has(p.slice(-7)))) return 1;
    return 2;
  },
  show: (p) => p.phone.join(' ') || undefined,
};
