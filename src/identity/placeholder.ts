import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Person } from './person.js';

const placeholderFileSchema = z.object({
  description: z.string().optional(),
  fullNames: z.array(z.string()),
  givenNames: z.array(z.string()),
  familyNames: z.array(z.string()),
  namePatterns: z.array(z.string()),
  birthDates: z.array(z.string()),
  phones: z.array(z.string()),
  identifierValues: z.array(z.string()),
  postcodes: z.array(z.string()),
});
export type PlaceholderFile = z.infer<typeof placeholderFileSchema>;

/** Placeholder lists compiled for lookups; built once from profiles/identity/placeholders.json. */
export interface PlaceholderRules {
  fullNames: ReadonlySet<string>;
  givenNames: ReadonlySet<string>;
  familyNames: ReadonlySet<string>;
  namePatterns: readonly RegExp[];
  birthDates: ReadonlySet<string>;
  phones: ReadonlySet<string>;
  identifierValues: ReadonlySet<string>;
  postcodes: ReadonlySet<string>;
}

export function compilePlaceholders(f: PlaceholderFile): PlaceholderRules {
  return {
    fullNames: new Set(f.fullNames),
    givenNames: new Set(f.givenNames),
    familyNames: new Set(f.familyNames),
    namePatterns: f.namePatterns.map((p) => new RegExp(p)),
    birthDates: new Set(f.birthDates),
    phones: new Set(f.phones),
    identifierValues: new Set(f.identifierValues),
    postcodes: new Set(f.postcodes),
  };
}

export function loadPlaceholders(file: string): PlaceholderRules {
  const parsed = placeholderFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${file}: ${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`);
  }
  return compilePlaceholders(parsed.data);
}

function isJunkName(rules: PlaceholderRules, name: string, list: ReadonlySet<string>): boolean {
  return list.has(name) || rules.namePatterns.some((re) => re.test(name));
}

/** A FHIR date that cannot be a real birth date: a known sentinel or after `today`. */
export function isPlaceholderBirthDate(rules: PlaceholderRules, date: string, today: string): boolean {
  return rules.birthDates.has(date) || date > today.slice(0, date.length);
}

/**
 * Drop placeholder values so they compare as null; records `dropped` for explanations. Never
 * mutates its input.
 */
export function cleanPerson(p: Person, rules: PlaceholderRules, today: string): Person {
  const dropped: string[] = [];
  let given = p.given;
  let family = p.family;
  if (rules.fullNames.has(`${given.join(' ')} ${family}`.trim())) {
    given = [];
    family = '';
    dropped.push('name');
  }
  if (given.length && (isJunkName(rules, given.join(' '), rules.givenNames) || isJunkName(rules, given[0], rules.givenNames))) {
    given = given.join(' ') === given[0] ? [] : given.filter((g) => !isJunkName(rules, g, rules.givenNames));
    dropped.push('given');
  }
  if (family && isJunkName(rules, family, rules.familyNames)) {
    family = '';
    dropped.push('family');
  }
  const out: Person = { ...p, given, family, phone: p.phone.filter((x) => !rules.phones.has(x)), identifiers: p.identifiers.filter((i) => !rules.identifierValues.has(i.value)) };
  if (out.phone.length < p.phone.length) dropped.push('phone');
  if (out.identifiers.length < p.identifiers.length) dropped.push('identifier');
  if (p.birthDate && isPlaceholderBirthDate(rules, p.birthDate, today)) {
    delete out.birthDate;
    dropped.push('birthDate');
  }
  if (p.address?.postalCode && rules.postcodes.has(p.address.postalCode)) {
    const { postalCode: _drop, ...rest } = p.address;
    out.address = rest;
    dropped.push('postalCode');
  }
  if (dropped.length) out.dropped = [...(p.dropped ?? []), ...dropped];
  return out;
}

/**
 * Whether a record carries enough to be linked automatically: a name plus one more independent
 * field. An empty or all-placeholder record only ever starts its own golden record or goes to review.
 */
export function hasLinkableEvidence(p: Person): boolean {
  const name = p.given.length > 0 || p.family !== '';
  const others = [
    p.birthDate !== undefined,
    p.identifiers.length > 0,
    p.phone.length > 0,
    Boolean(p.address?.postalCode || p.address?.line),
    p.birthPlace !== undefined,
  ].filter(Boolean).length;
  return name && others >= 1;
}
