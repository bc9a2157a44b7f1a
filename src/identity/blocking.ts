import type { ComparisonName } from './comparisons/registry.js';
import type { Person } from './person.js';

/**
 * A blocking rule: records sharing a non-empty key become candidate pairs. `on` names the
 * comparisons the key forces to agree, whose m cannot be learnt from this rule's pairs.
 */
export interface BlockingRule {
  readonly name: string;
  readonly on: readonly ComparisonName[];
  key(p: Person): string | undefined;
}

const year = (p: Person) => p.birthDate?.slice(0, 4);
const given = (p: Person) => p.given[0];
const gPh = (p: Person) => p.derived?.givenPhonetic[0];
const fPh = (p: Person) => p.derived?.familyPhonetic[0];
const join = (...xs: (string | undefined)[]) => (xs.every((x) => x) ? xs.join('|') : undefined);

/** Splink recipe: train m under several rules so every comparison is estimated at least once. */
export const TRAINING_RULES: readonly BlockingRule[] = [
  { name: 'names', on: ['given-name', 'family-name'], key: (p) => join(given(p), p.family) },
  { name: 'birth-date', on: ['birth-date'], key: (p) => (p.birthDate?.length === 10 ? p.birthDate : undefined) },
  { name: 'postcode-family', on: ['family-name', 'address'], key: (p) => join(p.address?.postalCode, p.family) },
];

/** Linking keys: phonetic, date and identifier keys catch typos that exact names would miss. */
export const LINK_RULES: readonly BlockingRule[] = [
  { name: 'names', on: [], key: (p) => join(given(p), p.family) },
  // Unordered, so "Smith John" and "John Smith" share the key (blocking.sql.ts swaps the columns instead).
  { name: 'swapped-names', on: [], key: (p) => (given(p) && p.family ? [given(p), p.family].sort().join('|') : undefined) },
  { name: 'family-phonetic-year', on: [], key: (p) => join(fPh(p), year(p)) },
  { name: 'given-phonetic-birth-date', on: [], key: (p) => join(gPh(p), p.birthDate) },
  { name: 'birth-date-family-initial', on: [], key: (p) => join(p.birthDate, p.family[0]) },
  { name: 'birth-date-given-initial', on: [], key: (p) => join(p.birthDate, given(p)?.[0]) },
  { name: 'postcode-given-initial', on: [], key: (p) => join(p.address?.postalCode, given(p)?.[0]) },
  { name: 'postcode-family-initial', on: [], key: (p) => join(p.address?.postalCode, p.family[0]) },
  { name: 'identifier', on: [], key: (p) => (p.identifiers[0] ? `${p.identifiers[0].system}|${p.identifiers[0].value}` : undefined) },
  { name: 'phone', on: [], key: (p) => p.phone[0] },
  { name: 'family-phonetic-given-phonetic', on: [], key: (p) => join(fPh(p), gPh(p)) },
];

/**
 * Candidate pairs (i < j) of one rule. Blocks larger than `maxBlockSize` are skipped: a key shared
 * by thousands (a placeholder that slipped through, a common name) must not explode the pair count.
 */
export function candidatePairs(records: readonly Person[], rule: BlockingRule, maxBlockSize = 1000): [number, number][] {
  const blocks = new Map<string, number[]>();
  records.forEach((r, i) => {
    const k = rule.key(r);
    if (!k) return;
    const list = blocks.get(k);
    if (list) list.push(i);
    else blocks.set(k, [i]);
  });
  const pairs: [number, number][] = [];
  for (const ids of blocks.values()) {
    if (ids.length < 2 || ids.length > maxBlockSize) continue;
    for (let x = 0; x < ids.length; x++) for (let y = x + 1; y < ids.length; y++) pairs.push([ids[x], ids[y]]);
  }
  return pairs;
}
