import { describe, expect, it } from '@jest/globals';
import { linkInMemory } from './link-in-memory.js';
import type { Person } from './person.js';
import { buildTermFrequencies } from './term-frequencies.js';
import { person, testModel, testReference } from '../../test/support/identity-fixtures.js';

const ref = testReference();
const model = testModel();
const P = (f: Partial<Person>) => person(ref, f);

describe('linkInMemory', () => {
  it('links a duplicate to the existing cluster and keeps a stranger apart', () => {
    const a = P({ given: ['ANN'], family: 'KOWALCZYK', birthDate: '1961-05-17', address: { postalCode: '2000', number: '4' } });
    const records = [a, { ...a, given: ['ANNE'] }, P({ given: ['PETER'], family: 'KOWALCZYK', birthDate: '1990-01-02' })];
    const r = linkInMemory(records, model, { tf: buildTermFrequencies(records) });
    expect(r.clusterOf).toEqual([0, 0, 1]);
    expect(r.matched).toBe(1);
  });
  it('a thousand same-name or placeholder records never form a giant cluster', () => {
    const records = [
      ...Array.from({ length: 1000 }, () => P({ given: ['JOHN'], family: 'SMITH' })),
      ...Array.from({ length: 1000 }, () => P({ given: [], family: '', dropped: ['name'] })),
    ];
    const r = linkInMemory(records, model, { tf: buildTermFrequencies(records) });
    expect(r.matched).toBe(0);
    expect(new Set(r.clusterOf).size).toBe(2000);
  });
});
