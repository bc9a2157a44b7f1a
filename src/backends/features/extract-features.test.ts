import { describe, expect, it } from '@jest/globals';
import { bundleOf, lab, vitals } from '../../../test/support/deterioration-model.js';
import { extractFeatures, featureRow, inputRows } from './extract-features.js';
import { featureSchema, type FeatureSpec } from './feature-spec.js';

const CREAT = [{ system: 'http://loinc.org', code: '2160-0' }];
const f = (selection: FeatureSpec['selection'], extra: Partial<Record<string, unknown>> = {}): FeatureSpec =>
  featureSchema.parse({ name: `cr-${selection}`, modality: 'labs', codes: CREAT, selection, ...(['latest', 'min', 'max', 'mean'].includes(selection) ? { unit: 'mg/dL' } : {}), missing: { policy: 'indicator', value: -1 }, ...extra });
const SERIES = [lab('c1', '2160-0', 1.0, 'mg/dL', -50), lab('c2', '2160-0', 2.5, 'mg/dL', -20), lab('c3', '2160-0', 1.6, 'mg/dL', -4)];

describe('extractFeatures', () => {
  it('reads every selection from the same series', () => {
    const specs = (['latest', 'min', 'max', 'mean', 'count', 'age-hours', 'present'] as const).map((s) => f(s));
    const { values, warnings } = extractFeatures(bundleOf(SERIES), specs, false);
    expect(warnings).toEqual([]);
    expect(Object.fromEntries(values.map((v) => [v.name, v.value]))).toEqual({
      'cr-latest': 1.6,
      'cr-min': 1.0,
      'cr-max': 2.5,
      'cr-mean': expect.closeTo(1.7, 9),
      'cr-count': 3,
      'cr-age-hours': 4,
      'cr-present': 1,
    });
    expect(values.find((v) => v.name === 'cr-max')?.eventIds).toEqual(['c2']);
    expect(values.find((v) => v.name === 'cr-mean')?.eventIds).toEqual(['c3', 'c2', 'c1']);
  });

  it('an absent modality is a real zero count but a missing value', () => {
    const { values } = extractFeatures(bundleOf(vitals({ rr: 20 })), [f('count'), f('present'), f('latest')], false);
    expect(values.map((v) => [v.value, v.reason])).toEqual([[0, undefined], [0, undefined], [undefined, 'no cr-latest item in labs']]);
  });

  it('a failed or unauthorised modality makes even counts missing (a 0 would be a lie)', () => {
    const { values } = extractFeatures(bundleOf(SERIES, { labs: 'timeout' }), [f('count')], false);
    expect(values[0]).toMatchObject({ reason: 'labs error: source failed: timeout' });
    expect(values[0]?.value).toBeUndefined();
  });

  it('stale items are used only when the model accepts stale data', () => {
    const old = [lab('c-old', '2160-0', 1.2, 'mg/dL', -60)]; // labs maxAge is 48 h in the default spec
    expect(extractFeatures(bundleOf(old), [f('latest')], false).values[0]?.reason).toMatch(/^labs stale: /);
    expect(extractFeatures(bundleOf(old), [f('latest')], true).values[0]?.value).toBe(1.2);
  });

  it('a non-numeric value or an unknown unit is skipped with a warning; an older readable value is used', () => {
    const { values, warnings } = extractFeatures(bundleOf([lab('c1', '2160-0', 1.1, 'mg/dL', -10), lab('c2', '2160-0', 'hemolysed', 'mg/dL', -5), lab('c3', '2160-0', 3, 'g/L', -2)]), [f('latest')], false);
    expect(values[0]).toMatchObject({ value: 1.1, eventIds: ['c1'] });
    expect(warnings).toEqual(['cr-latest: item c3 skipped: unit "g/L" is not "mg/dL"', 'cr-latest: item c2 skipped: value "hemolysed" is not a number']);
  });

  it('rows: indicators follow their feature; occluding a modality sets its features to their declared missing values', () => {
    const specs = [f('latest'), featureSchema.parse({ name: 'rr', modality: 'vitals', codes: [{ system: 'http://loinc.org', code: '9279-1' }], selection: 'latest', unit: '/min', missing: { policy: 'fill', value: 16 } })];
    const { values } = extractFeatures(bundleOf([...SERIES, ...vitals({ rr: 28 })]), specs, false);
    expect(featureRow(specs, values)).toEqual([1.6, 0, 28]);
    expect(inputRows(specs, values)).toEqual({ columns: ['cr-latest', 'cr-latest:missing', 'rr'], modalities: ['labs', 'vitals'], rows: [[1.6, 0, 28], [-1, 1, 28], [1.6, 0, 16]] });
  });
});
