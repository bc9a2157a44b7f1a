import type { Address, Patient } from '@medplum/fhirtypes';
import { cleanPerson, type PlaceholderRules } from './placeholder.js';
import { phoneticKey } from './comparisons/phonetic.js';
import { nicknameGroups, type NicknameTable } from './nicknames.js';
import { normalizePhone, normalizePostcode, normalizeText } from './normalize.js';

/** The normalised view of a source Patient that every comparison reads. */
export interface Person {
  id?: string;
  given: string[];
  /** Empty string when absent. */
  family: string;
  /** FHIR date (YYYY, YYYY-MM or YYYY-MM-DD). */
  birthDate?: string;
  /** M, F or O; unknown genders are absent. */
  gender?: string;
  phone: string[];
  address?: { line?: string; number?: string; city?: string; postalCode?: string; state?: string };
  identifiers: { system: string; value: string }[];
  birthPlace?: string;
  /** Fields dropped as placeholders, kept so an explanation can say why a comparison was null. */
  dropped?: string[];
  /** Computed once at normalisation so comparisons stay pure and cheap in the hot loop. */
  derived?: PersonDerived;
}

export interface PersonDerived {
  givenPhonetic: string[];
  familyPhonetic: string[];
  /** Canonical nickname groups of the first given name (empty if none). */
  givenGroups: string[];
}

/** Tables a normalisation needs; loaded once by the caller and passed down. */
export interface IdentityReference {
  nicknames: NicknameTable;
  placeholders: PlaceholderRules;
  /** ISO date used to reject birth dates in the future; defaults to the current date. */
  today?: string;
}

const BIRTH_PLACE_URL = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

const GENDERS: Record<string, string> = { male: 'M', female: 'F', other: 'O' };

function pickName(p: Patient) {
  const names = p.name ?? [];
  return names.find((n) => n.use === 'official') ?? names.find((n) => n.use !== 'old' && n.use !== 'maiden') ?? names[0];
}

function addressOf(a: Address | undefined): Person['address'] {
  if (!a) return undefined;
  const lines = (a.line ?? []).map(normalizeText).filter(Boolean);
  const line = lines[0];
  const number = line?.match(/^(\d+)\b/)?.[1];
  const out: NonNullable<Person['address']> = {};
  if (line) out.line = line;
  if (number) out.number = number;
  const city = normalizeText(a.city);
  if (city) out.city = city;
  const postalCode = normalizePostcode(a.postalCode);
  if (postalCode) out.postalCode = postalCode;
  const state = normalizeText(a.state);
  if (state) out.state = state;
  return Object.keys(out).length ? out : undefined;
}

function birthPlaceOf(p: Patient): string | undefined {
  const ext = p.extension?.find((e) => e.url === BIRTH_PLACE_URL)?.valueAddress;
  const v = normalizeText(ext?.city ?? ext?.text ?? ext?.district);
  return v || undefined;
}

/** Phonetic keys and nickname groups, computed once per record. */
export function derivePerson(person: Person, nicknames: NicknameTable): PersonDerived {
  return {
    givenPhonetic: person.given.map(phoneticKey),
    familyPhonetic: person.family ? [phoneticKey(person.family)] : [],
    givenGroups: person.given[0] ? nicknameGroups(nicknames, person.given[0]) : [],
  };
}

/**
 * Normalise a FHIR Patient for matching; placeholder values are dropped so they compare as null.
 * See: https://hl7.org/fhir/R4/patient.html
 */
export function personFromPatient(p: Patient, ref: IdentityReference): Person {
  const name = pickName(p);
  const phones = (p.telecom ?? []).filter((t) => t.system === 'phone' || t.system === 'sms').map((t) => normalizePhone(t.value));
  const raw: Person = {
    ...(p.id ? { id: p.id } : {}),
    given: (name?.given ?? []).map(normalizeText).filter(Boolean),
    family: normalizeText(name?.family),
    phone: [...new Set(phones.filter((x) => x.length >= 6))],
    identifiers: (p.identifier ?? [])
      .filter((i) => i.system && i.value?.trim())
      .map((i) => ({ system: i.system as string, value: (i.value as string).trim().toUpperCase() })),
  };
  if (p.birthDate) raw.birthDate = p.birthDate;
  const gender = p.gender ? GENDERS[p.gender] : undefined;
  if (gender) raw.gender = gender;
  const address = addressOf(p.address?.find((a) => a.use !== 'old') ?? p.address?.[0]);
  if (address) raw.address = address;
  const birthPlace = birthPlaceOf(p);
  if (birthPlace) raw.birthPlace = birthPlace;
  const person = cleanPerson(raw, ref.placeholders, ref.today ?? new Date().toISOString().slice(0, 10));
  return { ...person, derived: derivePerson(person, ref.nicknames) };
}
