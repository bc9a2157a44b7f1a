import { describe, expect, it } from '@jest/globals';
import type { Patient } from '@medplum/fhirtypes';
import { normalizePhone, normalizePostcode, normalizeText } from './normalize.js';
import { personFromPatient } from './person.js';
import { hasLinkableEvidence } from './placeholder.js';
import { testReference } from '../../test/support/identity-fixtures.js';

const ref = testReference();
const patient = (p: Partial<Patient>): Patient => ({ resourceType: 'Patient', ...p });

describe('normalisation', () => {
  it('upper-cases, strips diacritics and punctuation, collapses spaces', () => {
    expect(normalizeText("  Zoë  O'Brien-Müller ")).toBe('ZOE OBRIEN MULLER');
  });
  it('keeps phone digits and one space in postcodes', () => {
    expect(normalizePhone('+61 (2) 1234-5678')).toBe('61212345678');
    expect(normalizePostcode(' tq13   8df ')).toBe('TQ13 8DF');
  });
  it('maps a Patient to a Person', () => {
    const p = personFromPatient(
      patient({
        id: 'p1',
        name: [{ use: 'official', family: 'Núñez', given: ['José', 'María'] }],
        birthDate: '1970-02-03',
        gender: 'male',
        telecom: [{ system: 'phone', value: '(02) 9999-1234' }],
        address: [{ line: ['12 High St.'], city: 'Sydney', postalCode: '2000' }],
        identifier: [{ system: 'urn:mrn', value: ' a123 ' }],
      }),
      ref,
    );
    expect(p).toMatchObject({
      id: 'p1',
      given: ['JOSE', 'MARIA'],
      family: 'NUNEZ',
      birthDate: '1970-02-03',
      gender: 'M',
      phone: ['0299991234'],
      address: { line: '12 HIGH ST', number: '12', city: 'SYDNEY', postalCode: '2000' },
      identifiers: [{ system: 'urn:mrn', value: 'A123' }],
    });
    expect(p.derived?.givenPhonetic[0]).toBeTruthy();
  });
});

describe('placeholders', () => {
  it.each([
    [{ given: ['Baby'], family: 'Boy' }, [], ''],
    [{ given: ['John'], family: 'Doe' }, [], ''],
    [{ given: ['Baby Girl'], family: 'Nguyen' }, [], 'NGUYEN'],
    [{ given: ['UNKNOWN'], family: 'ZZZ' }, [], ''],
    [{ given: ['Test'], family: 'Patient' }, [], ''],
  ])('%j is treated as missing', (name, given, family) => {
    const p = personFromPatient(patient({ name: [name] }), ref);
    expect(p.given).toEqual(given);
    expect(p.family).toBe(family);
    expect(p.dropped?.length).toBeGreaterThan(0);
  });
  it('drops a birth date in the future and 1900-01-01', () => {
    expect(personFromPatient(patient({ birthDate: '2030-01-01' }), ref).birthDate).toBeUndefined();
    expect(personFromPatient(patient({ birthDate: '1900-01-01' }), ref).birthDate).toBeUndefined();
    expect(personFromPatient(patient({ birthDate: '1930-01-01' }), ref).birthDate).toBe('1930-01-01');
  });
  it('an empty or name-only record has no linkable evidence', () => {
    expect(hasLinkableEvidence(personFromPatient(patient({}), ref))).toBe(false);
    expect(hasLinkableEvidence(personFromPatient(patient({ name: [{ family: 'Smith', given: ['Ann'] }] }), ref))).toBe(false);
    expect(hasLinkableEvidence(personFromPatient(patient({ name: [{ family: 'Smith' }], birthDate: '1950-01-01' }), ref))).toBe(true);
  });
});
