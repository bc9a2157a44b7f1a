import { describe, expect, it } from '@jest/globals';
import { testReference } from '../../test/support/identity-fixtures.js';
import { candidatePairs, LINK_RULES } from './blocking.js';
import { patient } from './mpi.fixtures.js';
import { personFromPatient } from './person.js';

const ref = testReference();
const rule = (name: string) => LINK_RULES.find((r) => r.name === name)!;
const person = (given: string, family: string) => personFromPatient(patient('x', { given, family }), ref);

describe('link blocking rules', () => {
  it('swapped-names puts "Nguyen Lachlan" and "Lachlan Nguyen" in one block, which the names rule does not', () => {
    const records = [person('Lachlan', 'Nguyen'), person('Nguyen', 'Lachlan'), person('Lachlan', 'Smith')];
    expect(candidatePairs(records, rule('names'))).toEqual([]);
    expect(candidatePairs(records, rule('swapped-names'))).toEqual([[0, 1]]);
  });
  it('swapped-names has no key without both names', () => {
    expect(rule('swapped-names').key(personFromPatient(patient('x', { family: 'Nguyen' }), ref))).toBeUndefined();
  });
});
