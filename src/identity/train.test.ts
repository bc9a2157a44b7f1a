import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { DATASETS } from '../../test/support/paths.js';
import { TRAINING_RULES } from './blocking.js';
import { readFebrl } from './eval/febrl.js';
import { personFromPatient } from './person.js';
import { testModel, testReference } from '../../test/support/identity-fixtures.js';
import { capSwappedLevels, trainModel } from './train.js';

const ref = testReference();
const start = testModel();
const records = readFebrl(path.join(DATASETS, 'febrl/dataset3.csv'), 'd3')
  .slice(0, 1500)
  .map((l) => personFromPatient(l.patient, ref));
const opts = { blockingRules: TRAINING_RULES, randomPairs: 50_000, seed: 1, maxIterations: 20 };

describe('trainModel', () => {
  it('is deterministic for a seed', () => {
    expect(trainModel(records, opts, start)).toEqual(trainModel(records, opts, start));
  });
  it('estimates sensible m, u and λ from unlabelled FEBRL3 records', () => {
    const model = trainModel(records, opts, start);
    const level = (c: string, l: string) => model.comparisons.find((x) => x.name === c)!.levels.find((x) => x.label === l)!;
    expect(level('birth-date', 'exact').m).toBeGreaterThan(0.5);
    expect(level('birth-date', 'exact').u).toBeLessThan(0.01);
    expect(level('identifier', 'exact').m).toBeGreaterThan(0.5);
    expect(level('given-name', 'exact').m).toBeGreaterThan(level('given-name', 'exact').u * 10);
    expect(model.prior).toBeGreaterThan(1e-5);
    expect(model.prior).toBeLessThan(1e-2);
    expect(model.thresholds).toEqual(start.thresholds);
    expect(model.version).toContain('trained');
  });
  it('never lets a name swap outweigh the same names in place', () => {
    const model = trainModel(records, opts, start);
    for (const c of model.comparisons) {
      const first = c.levels[0]!;
      for (const l of c.levels.filter((x) => x.label === 'swapped')) expect(Math.log2(l.m / l.u)).toBeLessThanOrEqual(Math.log2(first.m / first.u) + 1e-9);
    }
    const levels = [
      { label: 'exact', m: 0.8, u: 0.01 },
      { label: 'jaro-winkler-0.92', m: 0.1, u: 0.0001 },
      { label: 'swapped', m: 0.02, u: 0.00001 },
      { label: 'else', m: 0.08, u: 0.98999 },
    ];
    expect(capSwappedLevels(levels)).toEqual([levels[0], levels[1], { label: 'swapped', m: 0.00001 * 80, u: 0.00001 }, levels[3]]);
  });
  it('another seed samples other random pairs', () => {
    expect(trainModel(records, { ...opts, seed: 2 }, start).comparisons).not.toEqual(trainModel(records, opts, start).comparisons);
  });
});
