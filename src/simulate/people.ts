/**
 * People and the ways registration desks get them wrong. The noise mirrors published duplicate
 * profiles (identity.md §5/§7): misspelt and swapped names, nicknames, middle-name mismatches,
 * day/month swaps and typos in DOB, missing phone, moved address.
 */
import type { Rng } from './random.js';
import type { Address, Demographics, NoiseKind } from './types.js';
import { CITIES, FAMILY_NAMES, FEMALE_GIVEN, MALE_GIVEN, NICKNAMES, STREET_NAMES } from './data/names.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function randomAddress(rng: Rng): Address {
  const [city, state, zip3] = rng.pick(CITIES);
  const line = `${rng.int(1, 2999)} ${rng.pick(STREET_NAMES)}${rng.chance(0.15) ? ` Apt ${rng.int(1, 40)}` : ''}`;
  return { line, city, state, zip: `${zip3}${pad(rng.int(1, 99))}` };
}

export function randomPerson(rng: Rng, startYear: number): Demographics {
  const sex = rng.chance(0.5) ? 'M' : 'F';
  const givenPool = sex === 'M' ? MALE_GIVEN : FEMALE_GIVEN;
  // Hospital populations skew old; 18–95 with a bump past 60.
  const age = rng.chance(0.55) ? rng.int(60, 95) : rng.int(18, 59);
  const birthDate = `${startYear - age}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
  return {
    family: rng.pick(FAMILY_NAMES),
    given: rng.pick(givenPool),
    middle: rng.chance(0.7) ? rng.pick(givenPool) : undefined,
    sex,
    birthDate,
    address: randomAddress(rng),
    phone: rng.chance(0.9) ? `(518)${pad(rng.int(200, 999), 3)}-${pad(rng.int(0, 9999), 4)}` : undefined,
    // 9xx area numbers are never issued, so these cannot collide with real SSNs.
    ssn: rng.chance(0.6) ? `9${pad(rng.int(0, 99))}-${pad(rng.int(1, 99))}-${pad(rng.int(1, 9999), 4)}` : undefined,
  };
}

const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 's', e: 'r', i: 'o', o: 'p', n: 'm', m: 'n', r: 't', t: 'r', s: 'a', l: 'k', h: 'j', c: 'v', d: 'f',
};

/** One realistic keying slip: neighbour key, dropped letter, doubled letter or transposition. */
export function typo(rng: Rng, word: string): string {
  if (word.length < 3) return word + word[word.length - 1];
  const i = rng.int(1, word.length - 2);
  switch (rng.int(0, 3)) {
    case 0: {
      const c = word[i].toLowerCase();
      return word.slice(0, i) + (KEYBOARD_NEIGHBOURS[c] ?? 'e') + word.slice(i + 1);
    }
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  }
}

function applicable(d: Demographics): NoiseKind[] {
  const [, m, day] = d.birthDate.split('-').map(Number);
  const kinds: NoiseKind[] = ['typo-family', 'typo-given', 'swapped-names', 'dob-typo', 'changed-address'];
  if (NICKNAMES[d.given]) kinds.push('nickname', 'nickname');
  if (day <= 12 && day !== m) kinds.push('dob-day-month-swap');
  if (d.middle) kinds.push('middle-missing', 'middle-initial', 'middle-missing');
  if (d.phone) kinds.push('missing-phone');
  if (d.ssn) kinds.push('missing-ssn');
  return kinds;
}

function applyOne(rng: Rng, d: Demographics, kind: NoiseKind): Demographics {
  const [y, m, day] = d.birthDate.split('-');
  switch (kind) {
    case 'typo-family':
      return { ...d, family: typo(rng, d.family) };
    case 'typo-given':
      return { ...d, given: typo(rng, d.given) };
    case 'nickname':
      return { ...d, given: rng.pick(NICKNAMES[d.given] ?? [d.given]) };
    case 'swapped-names':
      return { ...d, family: d.given, given: d.family };
    case 'dob-day-month-swap':
      return { ...d, birthDate: `${y}-${day}-${m}` };
    case 'dob-typo': {
      const shifted = Math.min(28, Math.max(1, Number(day) + rng.pick([-1, 1, 10, -10])));
      return rng.chance(0.5)
        ? { ...d, birthDate: `${y}-${m}-${pad(shifted)}` }
        : { ...d, birthDate: `${Number(y) + rng.pick([-1, 1, -10])}-${m}-${day}` };
    }
    case 'middle-missing':
      return { ...d, middle: undefined };
    case 'middle-initial':
      return { ...d, middle: d.middle?.[0] };
    case 'missing-phone':
      return { ...d, phone: undefined };
    case 'changed-address':
      return { ...d, address: randomAddress(rng) };
    case 'missing-ssn':
      return { ...d, ssn: undefined };
  }
}

/** A source's copy of a person: exact with probability 1 - p, otherwise one or two kinds of noise. */
export function noisyCopy(rng: Rng, d: Demographics, p: number): { demographics: Demographics; noise: NoiseKind[] } {
  if (!rng.chance(p)) return { demographics: d, noise: [] };
  const count = rng.chance(0.3) ? 2 : 1;
  const noise: NoiseKind[] = [];
  let out = d;
  for (let i = 0; i < count; i++) {
    const options = applicable(out).filter((k) => !noise.includes(k));
    if (!options.length) break;
    const kind = rng.pick(options);
    out = applyOne(rng, out, kind);
    noise.push(kind);
  }
  return { demographics: out, noise };
}
