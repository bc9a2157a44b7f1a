import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { OperationOutcomeError } from '../fhir/outcomes.js';
import { parseMatchModel, thresholdWeight } from './model.js';
import { MODEL_FILE, testModel } from '../../test/support/identity-fixtures.js';

const raw = () => JSON.parse(readFileSync(MODEL_FILE, 'utf8'));
const messageOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(OperationOutcomeError);
    return (err as OperationOutcomeError).outcome.issue.map((i) => i.details?.text).join('\n');
  }
  throw new Error('expected a failure');
};

describe('match model file', () => {
  it('loads the hand-reviewed profile; every level distribution sums to 1', () => {
    const model = testModel();
    expect(model.comparisons.length).toBeGreaterThanOrEqual(7);
    for (const c of model.comparisons) {
      expect(c.levels.reduce((s, l) => s + l.m, 0)).toBeCloseTo(1, 3);
      expect(c.levels.reduce((s, l) => s + l.u, 0)).toBeCloseTo(1, 3);
    }
    expect(thresholdWeight(model.thresholds.match)).toBeGreaterThan(thresholdWeight(model.thresholds.possible));
  });
  it('names the file and the path of a bad value', () => {
    const bad = raw();
    bad.comparisons[2].levels[1].m = 1.5;
    expect(messageOf(() => parseMatchModel(bad, 'profiles/x.json'))).toContain('profiles/x.json: comparisons[2].levels[1].m');
  });
  it('reports every issue at once, including level labels that do not fit the comparison', () => {
    const bad = raw();
    bad.prior = 0;
    bad.comparisons[0].levels[0].label = 'same';
    bad.comparisons[1].name = 'shoe-size';
    const msg = messageOf(() => parseMatchModel(bad, 'm.json'));
    expect(msg).toContain('m.json: prior');
    expect(msg).toContain('m.json: comparisons[1].name');
    expect(msg).toContain('levels of "given-name" must be, in order: exact');
  });
  it('converts a probability threshold to a weight', () => {
    expect(thresholdWeight({ probability: 0.5 })).toBe(0);
    expect(thresholdWeight({ weight: 7 })).toBe(7);
  });
});
