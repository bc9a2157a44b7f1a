import { describe, expect, it } from '@jest/globals';
import { evaluateClusters } from './evaluate.js';

describe('evaluateClusters', () => {
  it('computes pairwise and cluster metrics (known answer)', () => {
    // Truth: A A A B B C. Prediction: {A A} {A B B} {C}: one overlay, A split.
    const m = evaluateClusters(['A', 'A', 'A', 'B', 'B', 'C'], [1, 1, 2, 2, 2, 3]);
    expect(m).toMatchObject({ truePairs: 4, predictedPairs: 4, truePositives: 2, clusters: 3, trueEntities: 3, falseMergeClusters: 1, splitEntities: 1 });
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.5);
    expect(m.falseMergeRate).toBeCloseTo(1 / 3);
    expect(m.splitRate).toBeCloseTo(1 / 3);
  });
  it('a perfect grouping scores 1 with no overlays', () => {
    const m = evaluateClusters(['a', 'a', 'b'], ['x', 'x', 'y']);
    expect([m.precision, m.recall, m.f1, m.falseMergeRate, m.splitRate]).toEqual([1, 1, 1, 0, 0]);
  });
});
