import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { DATASETS } from '../../../test/support/paths.js';
import { testModel, testReference } from '../../../test/support/identity-fixtures.js';
import { readFebrl } from './febrl.js';
import { readHistorical } from './historical.js';
import { runEvaluation } from './run-evaluation.js';

const ref = testReference();
const start = testModel();
const train = { randomPairs: 300_000, seed: 42, maxIterations: 50 };

describe('identity evaluation (in-memory reference linker)', () => {
  it('FEBRL4 (4a + 4b, 10,000 records): F1 ≥ 0.995 with no false merge', () => {
    const labelled = [...readFebrl(path.join(DATASETS, 'febrl/dataset4a.csv'), 'a'), ...readFebrl(path.join(DATASETS, 'febrl/dataset4b.csv'), 'b')];
    expect(labelled).toHaveLength(10_000);
    const run = runEvaluation('febrl4', labelled, ref, start, { train, shuffleSeed: 7 });
    expect(run.metrics.truePairs).toBe(5000);
    expect(run.metrics.f1).toBeGreaterThanOrEqual(0.995);
    expect(run.metrics.falseMergeClusters).toBe(0);
  });
  it('FEBRL3 (5,000 records): F1 ≥ 0.98', () => {
    const run = runEvaluation('febrl3', readFebrl(path.join(DATASETS, 'febrl/dataset3.csv'), 'd3'), ref, start, { train, shuffleSeed: 7 });
    expect(run.metrics.truePairs).toBe(6538);
    expect(run.metrics.f1).toBeGreaterThanOrEqual(0.98);
    expect(run.metrics.falseMergeRate).toBeLessThanOrEqual(0.001);
  });
  it('reads historical_50k without leaking the truth into the Patient', () => {
    const labelled = readHistorical(path.join(DATASETS, 'historical_50k/historical_figures_with_errors_50k.csv'));
    expect(labelled).toHaveLength(50_578);
    expect(new Set(labelled.map((l) => l.truth)).size).toBe(5156);
    expect(JSON.stringify(labelled[0].patient)).not.toContain(labelled[0].truth);
  });
});
