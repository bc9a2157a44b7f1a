/**
 * A deterministic synthetic hospital population for the identity benchmark: people from
 * src/simulate (age mix, addresses, phones, SSNs) with a long tail of surnames and given names
 * (the simulator's 100 surnames would put 10,000 people on each at 1M), ~10 % of records being
 * a second registration of an earlier person with the simulator's registration-desk noise.
 */
import type { Patient } from '@medplum/fhirtypes';
import { noisyCopy, randomPerson } from '../src/simulate/people.js';
import { createRng, type Rng } from '../src/simulate/random.js';
import { FAMILY_NAMES, FEMALE_GIVEN, MALE_GIVEN } from '../src/simulate/data/names.js';
import type { Demographics } from '../src/simulate/types.js';

const ONSETS = ['Al', 'Bar', 'Bel', 'Bran', 'Car', 'Cor', 'Dal', 'Dun', 'El', 'Far', 'Gal', 'Gor', 'Hal', 'Har', 'Kel', 'Kir', 'Lan', 'Mar', 'Mel', 'Nor', 'Os', 'Pen', 'Quin', 'Ros', 'Sal', 'Stan', 'Tal', 'Ver', 'Wal', 'Win'];
const MIDDLES = ['a', 'e', 'i', 'o', 'u', 'ab', 'en', 'er', 'il', 'in', 'on', 'or', 'ov', 'ra', 're', 'ri', 'ro', 'ul', 'an', 'et'];
const SURNAME_ENDS = ['son', 'ton', 'ley', 'man', 'berg', 'ford', 'ski', 'ez', 'ini', 'ova', 'dale', 'wood', 'well', 'more', 'by', 'ham', 'rick', 'stein', 'ard', 'ino'];
const GIVEN_ENDS = ['a', 'ia', 'ina', 'o', 'an', 'en', 'is', 'ie', 'el', 'ette'];

export const MRN_NORTH = 'urn:oid:1.2.3.4.north-mrn';
export const MRN_SOUTH = 'urn:oid:1.2.3.4.south-mrn';
export const SSN = 'http://hl7.org/fhir/sid/us-ssn';

/** Zipf-like pick: the head of a list is far more common than its tail. */
const skewed = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(items.length * rng.next() ** 2.2)] as T;

function surname(rng: Rng): string {
  if (rng.chance(0.35)) return skewed(rng, FAMILY_NAMES);
  return `${skewed(rng, ONSETS)}${rng.pick(MIDDLES)}${skewed(rng, SURNAME_ENDS)}`;
}

function givenName(rng: Rng, sex: 'M' | 'F'): string {
  if (rng.chance(0.7)) return skewed(rng, sex === 'M' ? MALE_GIVEN : FEMALE_GIVEN);
  const stem = `${skewed(rng, ONSETS)}${rng.pick(MIDDLES)}`;
  return sex === 'F' ? `${stem}${rng.pick(GIVEN_ENDS)}` : stem;
}

/** Person `k` of the population: the same demographics every time it is asked for. */
export function personDemographics(seed: number, k: number): Demographics {
  const rng = createRng(seed).fork(`person-${k}`);
  const d = randomPerson(rng, 2026);
  const sex = d.sex;
  // SSNs derived from the person number are unique (a random draw collides ~1,800 times in 1M).
  const ssn = d.ssn ? `9${String(Math.floor(k / 1e6) % 100).padStart(2, '0')}-${String(Math.floor(k / 1e4) % 100).padStart(2, '0')}-${String(k % 1e4).padStart(4, '0')}` : undefined;
  return { ...d, family: surname(rng), given: givenName(rng, sex), ...(d.middle ? { middle: givenName(rng, sex) } : {}), ...(ssn ? { ssn } : { ssn: undefined }) };
}

export function toPatient(id: string, system: string, d: Demographics): Patient {
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system, value: id }, ...(d.ssn ? [{ system: SSN, value: d.ssn }] : [])],
    name: [{ use: 'official', family: d.family, given: d.middle ? [d.given, d.middle] : [d.given] }],
    gender: d.sex === 'M' ? 'male' : 'female',
    birthDate: d.birthDate,
    address: [{ line: [d.address.line], city: d.address.city, state: d.address.state, postalCode: d.address.zip }],
    ...(d.phone ? { telecom: [{ system: 'phone' as const, value: d.phone }] } : {}),
  };
}

/** Source id of record i. */
export const recordId = (i: number) => `r${String(i).padStart(7, '0')}`;

export interface Population {
  /** The records in registration order (generated lazily: 1M Patients never sit in memory at once). */
  records(): Generator<Patient>;
  /** Person number of record i (records of one person share it). */
  personOf: Int32Array;
  people: number;
}

/**
 * `n` registrations: each one a new person, or (10 %, after the first 1,000) a noisy second
 * registration of an earlier person at the other facility (its own MRN; the SSN may be missing).
 */
export function population(n: number, seed = 1, duplicateRate = 0.1): Population {
  const personOf = new Int32Array(n);
  const dupOf = new Int8Array(n);
  const rng = createRng(seed).fork('registrations');
  let people = 0;
  for (let i = 0; i < n; i++) {
    if (i >= 1000 && rng.chance(duplicateRate)) {
      personOf[i] = personOf[rng.int(0, i - 1)] as number;
      dupOf[i] = 1;
    } else personOf[i] = people++;
  }
  return {
    personOf,
    people,
    *records() {
      for (let i = 0; i < n; i++) {
        const d = personDemographics(seed, personOf[i] as number);
        const id = recordId(i);
        if (!dupOf[i]) yield toPatient(id, MRN_NORTH, d);
        else yield toPatient(id, MRN_SOUTH, noisyCopy(createRng(seed).fork(`noise-${i}`), d, 0.8).demographics);
      }
    },
  };
}

/** Probes that are not in the index: half new people, half noisy re-registrations of indexed people. */
export function probes(count: number, pop: Population, seed = 1): Patient[] {
  const rng = createRng(seed).fork('probes');
  return Array.from({ length: count }, (_, j) => {
    const id = `probe-${j}`;
    if (j % 2 === 0) return toPatient(id, MRN_SOUTH, personDemographics(seed, pop.people + 1 + j));
    const k = pop.personOf[rng.int(0, pop.personOf.length - 1)] as number;
    return toPatient(id, MRN_SOUTH, noisyCopy(rng.fork(j), personDemographics(seed, k), 0.8).demographics);
  });
}
