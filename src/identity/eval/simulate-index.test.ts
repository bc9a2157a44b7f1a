import { describe, expect, it } from '@jest/globals';
import { ANNA, BORIS, patient, testIdentityDeps, type PatientFields } from '../mpi.fixtures.js';
import { personFromPatient } from '../person.js';
import { simulateIndex } from './simulate-index.js';

const deps = testIdentityDeps();
const persons = (list: PatientFields[]) => list.map((f, i) => personFromPatient(patient(`s-${i}`, f), deps.reference));

describe('simulateIndex (the database decision without the database)', () => {
  it('links a copy, keeps a stranger apart and sends a weakly corroborated record to review', () => {
    const walkIn: PatientFields = { given: 'Anna', family: 'Kowalski', gender: 'female', birthDate: '1971-03-15', phone: '0299990000' };
    const { links } = simulateIndex(persons([ANNA, { ...ANNA, line: '12 Mill Rd' }, BORIS, walkIn]), deps.model, { cap: 200 });
    expect(links.map((l) => [l.golden, l.state, l.rule])).toEqual([
      [0, 'MATCH', 'new'],
      [0, 'MATCH', 'probabilistic'],
      [1, 'MATCH', 'new'],
      [0, 'POSSIBLE_MATCH', 'probabilistic-review'],
    ]);
  });

  it('never auto-links placeholder twins, and skips blocks over the cap', () => {
    const twin: PatientFields = { given: 'Baby Boy', family: 'Okonkwo', birthDate: '2025-05-20', gender: 'male', postcode: '4101', line: '9 Vale St' };
    expect(simulateIndex(persons([twin, twin]), deps.model, { cap: 200 }).links[1]).toMatchObject({ state: 'POSSIBLE_MATCH', rule: 'placeholder-review' });
    const capped = simulateIndex(persons([ANNA, ANNA, ANNA, ANNA]), deps.model, { cap: 2 });
    // The fourth record's every block already holds three records, over the cap of 2: it sees no candidate.
    expect(capped.links.map((l) => l.rule)).toEqual(['new', 'probabilistic', 'probabilistic', 'new']);
  });
});
