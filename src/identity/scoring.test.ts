import { describe, expect, it } from '@jest/globals';
import { gradeScore } from './decision.js';
import { thresholdWeight } from './model.js';
import type { Person } from './person.js';
import { PRIOR_PART, scoreAgainstGolden, scorePair, pairWeight } from './scoring.js';
import { buildTermFrequencies } from './term-frequencies.js';
import { person, testModel, testReference } from '../../test/support/identity-fixtures.js';

const ref = testReference();
const model = testModel();
const P = (f: Partial<Person>) => person(ref, f);
const ann = P({ given: ['ANN'], family: 'KOWALCZYK', birthDate: '1961-05-17', gender: 'F', address: { postalCode: '2000', number: '4', line: '4 HIGH ST' } });
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

describe('scorePair', () => {
  it('weight = log2 prior odds + Σ log2(m/u), and the waterfall parts add up to it', () => {
    const s = scorePair(ann, { ...ann, given: ['ANNE'] }, model);
    expect(s.parts[0]).toMatchObject({ comparison: PRIOR_PART, weight: Math.log2(model.prior / (1 - model.prior)) });
    const birth = model.comparisons.find((c) => c.name === 'birth-date')!.levels[0];
    expect(s.parts.find((p) => p.comparison === 'birth-date')).toMatchObject({ level: 'exact', weight: Math.log2(birth.m / birth.u), a: '1961-05-17' });
    expect(s.parts.find((p) => p.comparison === 'phone')).toMatchObject({ level: 'null', weight: 0 });
    expect(sum(s.parts.map((p) => p.weight))).toBeCloseTo(s.weight, 10);
    expect(s.probability).toBeCloseTo(2 ** s.weight / (1 + 2 ** s.weight), 12);
    expect(pairWeight(ann, { ...ann, given: ['ANNE'] }, model)).toBeCloseTo(s.weight, 10);
  });
  it('is symmetric for symmetric comparisons and grades a full agreement as a match', () => {
    const s = scorePair(ann, ann, model);
    expect(s.probability).toBeGreaterThan(0.999);
    expect(gradeScore(s, ann, model)).toBe('match');
  });
  it('term frequencies lower the weight of a common surname and raise a rare one', () => {
    const index = [...Array.from({ length: 200 }, () => P({ given: ['X'], family: 'SMITH' })), P({ given: ['Y'], family: 'KOWALCZYK' })];
    const tf = buildTermFrequencies(index);
    const smith = P({ given: ['JO'], family: 'SMITH', birthDate: '1961-05-17' });
    const plain = scorePair(smith, smith, model).parts.find((p) => p.comparison === 'family-name')!;
    const adjusted = scorePair(smith, smith, model, tf).parts.find((p) => p.comparison === 'family-name')!;
    expect(adjusted.tfAdjustment).toBeLessThan(0);
    expect(adjusted.weight).toBeLessThan(plain.weight);
    const rare = scorePair(ann, ann, model, tf).parts.find((p) => p.comparison === 'family-name')!;
    expect(rare.tfAdjustment).toBeGreaterThan(0);
  });
});

describe('placeholders and common names never link on name alone', () => {
  const matchWeight = thresholdWeight(model.thresholds.match);
  it.each([
    ['JOHN SMITH', { given: ['JOHN'], family: 'SMITH' }],
    ['BABY BOY (cleaned to nothing)', { given: [], family: '' }],
  ])('a thousand %s records', (_label, name) => {
    const records = Array.from({ length: 1000 }, (_, i) => P({ ...name, id: String(i) }));
    const tf = buildTermFrequencies(records);
    for (let i = 1; i < records.length; i += 37) {
      const s = scorePair(records[0], records[i], model, tf);
      expect(s.weight).toBeLessThan(matchWeight);
      expect(gradeScore(s, records[i], model)).not.toBe('match');
    }
  });
  it('a rare exact name with no other evidence is at most a possible match', () => {
    const a = P({ given: ['ZEPHYRINA'], family: 'QUILLFEATHER' });
    const s = scorePair(a, a, model, buildTermFrequencies([a, ann, P({ given: ['B'], family: 'C' })]));
    expect(gradeScore(s, a, model)).not.toBe('match');
  });
});

describe('scoreAgainstGolden', () => {
  it('returns the best evidence over the golden record’s sources', () => {
    const sources = [P({ given: ['PETER'], family: 'JONES' }), { ...ann, address: undefined }, ann];
    const s = scoreAgainstGolden({ ...ann }, sources, model)!;
    expect(s.sourceIndex[1]).toBe(2);
    expect(s.weight).toBeCloseTo(scorePair(ann, ann, model).weight, 10);
    const pooled = scoreAgainstGolden(ann, [{ ...ann, address: undefined }, { ...ann, birthDate: undefined }], model, undefined, 'best-per-comparison')!;
    expect(pooled.weight).toBeCloseTo(scorePair(ann, ann, model).weight, 10);
    expect(sum(pooled.parts.map((p) => p.weight))).toBeCloseTo(pooled.weight, 10);
    expect(scoreAgainstGolden(ann, [], model)).toBeUndefined();
  });
});
