import type { Person } from '../person.js';
import { NULL_LEVEL, type Comparison } from './comparison.js';

const LEVELS = ['postcode-and-number', 'street-line', 'postcode', 'postcode-district', 'city', 'else'] as const;

/** The outward code of a UK postcode, or the first three characters of a numeric one. */
function district(postcode: string): string {
  const space = postcode.indexOf(' ');
  return space > 0 ? postcode.slice(0, space) : postcode.slice(0, 3);
}

function compact(s: string | undefined): string {
  return (s ?? '').replace(/ /g, '');
}

/**
 * Home address, strongest first. A shared street line without the postcode still counts because
 * FEBRL-style corruption swaps postcode and suburb.
 */
export const addressComparison: Comparison = {
  name: 'address',
  levels: LEVELS,
  compare(a, b) {
    const x = a.address;
    const y = b.address;
    if (!x || !y) return NULL_LEVEL;
    const pc = Boolean(x.postalCode && x.postalCode === y.postalCode);
    if (pc && x.number && x.number === y.number) return 0;
    if (x.line && compact(x.line) === compact(y.line)) return 1;
    if (pc) return 2;
    if (x.postalCode && y.postalCode && district(x.postalCode) === district(y.postalCode)) return 3;
    if (x.city && x.city === y.city) return 4;
    return 5;
  },
  show: (p: Person) => (p.address ? [p.address.line, p.address.city, p.address.postalCode].filter(Boolean).join(', ') : undefined),
};
