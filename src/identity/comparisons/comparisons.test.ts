import { describe, expect, it } from '@jest/globals';
import { person, testReference } from '../../../test/support/identity-fixtures.js';
import { addressComparison } from './address.js';
import { birthDateComparison } from './birth-date.js';
import { birthPlaceComparison } from './birth-place.js';
import { NULL_LEVEL, type Comparison } from './comparison.js';
import { familyNameComparison } from './family-name.js';
import { genderComparison } from './gender.js';
import { givenNameComparison } from './given-name.js';
import { identifierComparison } from './identifier.js';
import { phoneComparison } from './phone.js';
import { phoneticKey, similarity } from './phonetic.js';
import type { Person } from '../person.js';

const ref = testReference();
const P = (fields: Partial<Person>) => person(ref, fields);
const level = (c: Comparison, a: Partial<Person>, b: Partial<Person>) => {
  const i = c.compare(P(a), P(b));
  return i === NULL_LEVEL ? 'null' : c.levels[i];
};

describe('string helpers', () => {
  it('Jaro–Winkler known answer', () => expect(similarity('MARTHA', 'MARHTA')).toBeCloseTo(0.9611, 4));
  it('double metaphone known answer', () => expect(phoneticKey('SMITH')).toBe('SM0'));
});

describe('given-name', () => {
  it.each([
    [['JOHN'], ['JOHN'], 'exact'],
    [['MARTHA'], ['MARHTA'], 'jaro-winkler-0.92'],
    [['WILLIAM'], ['BILL'], 'nickname'],
    [['PEGGY'], ['MARGARET'], 'nickname'],
    [['KATHERINE'], ['CATHRYN'], 'double-metaphone'],
    [['JOHN'], ['PETER'], 'else'],
    [[], ['PETER'], 'null'],
  ])('%j vs %j → %s', (a, b, expected) => expect(level(givenNameComparison, { given: a, family: 'X' }, { given: b, family: 'Y' })).toBe(expected));
  it('detects swapped given and family names', () => {
    expect(level(givenNameComparison, { given: ['MICHAELA'], family: 'NEUMANN' }, { given: ['NEUMANN'], family: 'MICHAELA' })).toBe('swapped');
    expect(level(familyNameComparison, { given: ['MICHAELA'], family: 'NEUMANN' }, { given: ['NEUMANN'], family: 'MICHAELA' })).toBe('swapped');
  });
});

describe('family-name', () => {
  it.each([
    ['SMITH', 'SMITH', 'exact'],
    ['SMITH', 'SMITHE', 'jaro-winkler-0.92'],
    ['PHILLIPS', 'FILIPS', 'double-metaphone'],
    ['SMITH', 'JONES', 'else'],
    ['', 'JONES', 'null'],
  ])('%s vs %s → %s', (a, b, expected) => expect(level(familyNameComparison, { given: ['A'], family: a }, { given: ['B'], family: b })).toBe(expected));
});

describe('birth-date', () => {
  it.each([
    ['1980-03-04', '1980-03-04', 'exact'],
    ['1980-03-04', '1980-04-03', 'day-month-transposed'],
    ['1980-03-04', '1981-03-04', 'year-off-by-one'],
    ['1980-03-04', '1980-03-14', 'one-component-differs'],
    ['1980-03-04', '1975-11-20', 'else'],
    ['1980-03', '1980-03-04', 'null'],
  ])('%s vs %s → %s', (a, b, expected) => expect(level(birthDateComparison, { birthDate: a }, { birthDate: b })).toBe(expected));
});

describe('other comparisons', () => {
  it('gender', () => {
    expect(level(genderComparison, { gender: 'F' }, { gender: 'F' })).toBe('exact');
    expect(level(genderComparison, { gender: 'F' }, { gender: 'M' })).toBe('else');
    expect(level(genderComparison, {}, { gender: 'M' })).toBe('null');
  });
  it('address', () => {
    const home = { line: '8 STANLEY STREET', number: '8', city: 'WINSTON HILLS', postalCode: '4223' };
    expect(level(addressComparison, { address: home }, { address: { ...home, city: 'X' } })).toBe('postcode-and-number');
    expect(level(addressComparison, { address: home }, { address: { ...home, postalCode: '4232' } })).toBe('street-line');
    expect(level(addressComparison, { address: home }, { address: { postalCode: '4223', line: '9 OTHER ST', number: '9' } })).toBe('postcode');
    expect(level(addressComparison, { address: { postalCode: 'TQ13 8DF' } }, { address: { postalCode: 'TQ13 8HU' } })).toBe('postcode-district');
    expect(level(addressComparison, { address: { city: 'DAPTO' } }, { address: { city: 'DAPTO' } })).toBe('city');
    expect(level(addressComparison, { address: { city: 'DAPTO' } }, { address: { city: 'BEGA' } })).toBe('else');
    expect(level(addressComparison, {}, { address: home })).toBe('null');
  });
  it('phone', () => {
    expect(level(phoneComparison, { phone: ['0212345678'] }, { phone: ['0212345678'] })).toBe('exact');
    expect(level(phoneComparison, { phone: ['61212345678'] }, { phone: ['0212345678'] })).toBe('last-7-digits');
    expect(level(phoneComparison, { phone: ['0212345678'] }, { phone: ['0299999999'] })).toBe('else');
    expect(level(phoneComparison, { phone: [] }, { phone: ['0299999999'] })).toBe('null');
  });
  it('identifier: same system only', () => {
    const id = (system: string, value: string) => ({ identifiers: [{ system, value }] });
    expect(level(identifierComparison, id('s', '5304218'), id('s', '5304218'))).toBe('exact');
    expect(level(identifierComparison, id('s', '5304218'), id('s', '5302418'))).toBe('one-edit');
    expect(level(identifierComparison, id('s', '5304218'), id('s', '9999999'))).toBe('else');
    expect(level(identifierComparison, id('s', '5304218'), id('t', '5304218'))).toBe('null');
  });
  it('birth place', () => {
    expect(level(birthPlaceComparison, { birthPlace: 'DEVON' }, { birthPlace: 'WEST DEVON' })).toBe('shared-word');
    expect(level(birthPlaceComparison, { birthPlace: 'DEVON' }, { birthPlace: 'DEVON' })).toBe('exact');
  });
});
