import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildAlignedBundle } from '../../fusion/build-aligned-bundle.js';
import { loadSpec } from '../../fusion/spec.js';
import { INDEX_TIME, makeEvent } from '../../../test/support/event-fixtures.js';
import { REPO_ROOT } from '../../../test/support/paths.js';
import type { EventValue } from '../../timeline/timeline-event.js';
import { createNews2Backend } from './news2-backend.js';
import { scoreNews2, scorePulse, scoreRespirationRate, scoreSpO2Scale1, scoreSpO2Scale2, scoreSystolicBp, scoreTemperature, type News2Inputs } from './news2-score.js';

const NORMAL: Required<News2Inputs> = { respirationRate: 16, spo2: 97, supplementalOxygen: false, systolicBp: 120, pulse: 70, consciousness: 'A', temperature: 37.0 };

describe('NEWS2 bands (RCP 2017, Chart 1)', () => {
  it.each([[8, 3], [9, 1], [11, 1], [12, 0], [20, 0], [21, 2], [24, 2], [25, 3]])('respiration rate %i → %i', (v, s) => expect(scoreRespirationRate(v)).toBe(s));
  it.each([[91, 3], [92, 2], [93, 2], [94, 1], [95, 1], [96, 0]])('SpO2 scale 1 %i → %i', (v, s) => expect(scoreSpO2Scale1(v)).toBe(s));
  it.each([
    [83, false, 3], [84, false, 2], [86, true, 1], [88, true, 0], [92, true, 0], [93, false, 0], [99, false, 0], [93, true, 1], [94, true, 1], [95, true, 2], [96, true, 2], [97, true, 3],
  ] as const)('SpO2 scale 2 %i (oxygen %s) → %i', (v, o2, s) => expect(scoreSpO2Scale2(v, o2)).toBe(s));
  it('SpO2 scale 2 ≥ 93 with unknown oxygen is not scored', () => expect(scoreSpO2Scale2(95, undefined)).toBeUndefined());
  it.each([[90, 3], [91, 2], [100, 2], [101, 1], [110, 1], [111, 0], [219, 0], [220, 3]])('systolic BP %i → %i', (v, s) => expect(scoreSystolicBp(v)).toBe(s));
  it.each([[40, 3], [41, 1], [50, 1], [51, 0], [90, 0], [91, 1], [110, 1], [111, 2], [130, 2], [131, 3]])('pulse %i → %i', (v, s) => expect(scorePulse(v)).toBe(s));
  it.each([[35.0, 3], [35.1, 1], [36.0, 1], [36.1, 0], [38.0, 0], [38.1, 1], [39.0, 1], [39.1, 2]])('temperature %f → %i', (v, s) => expect(scoreTemperature(v)).toBe(s));
});

describe('NEWS2 aggregate and clinical risk (Chart 2)', () => {
  it('all normal → 0, low', () => expect(scoreNews2(NORMAL)).toMatchObject({ total: 0, band: 'low', missing: [] }));
  it('RR 25 alone → 3, low-medium (a red score in one parameter)', () =>
    expect(scoreNews2({ ...NORMAL, respirationRate: 25 })).toMatchObject({ total: 3, band: 'low-medium', subScores: { respirationRate: 3 } }));
  it('new confusion alone → 3, low-medium', () => expect(scoreNews2({ ...NORMAL, consciousness: 'C' })).toMatchObject({ total: 3, band: 'low-medium' }));
  it('RR 22, SpO2 95, on oxygen → 2 + 1 + 2 = 5, medium', () =>
    expect(scoreNews2({ ...NORMAL, respirationRate: 22, spo2: 95, supplementalOxygen: true })).toMatchObject({ total: 5, band: 'medium' }));
  it('septic picture → high', () =>
    expect(scoreNews2({ respirationRate: 26, spo2: 93, supplementalOxygen: true, systolicBp: 95, pulse: 125, consciousness: 'V', temperature: 39.5 })).toMatchObject({ total: 3 + 2 + 2 + 2 + 2 + 3 + 2, band: 'high' }));
  it('a missing parameter gives no score, only a partial sum', () => {
    const { temperature: _t, ...rest } = NORMAL;
    const r = scoreNews2({ ...rest, respirationRate: 25 });
    expect(r).toMatchObject({ partialSum: 3, missing: ['temperature'] });
    expect(r.total).toBeUndefined();
    expect(r.band).toBeUndefined();
  });
});

const spec = loadSpec('default', path.join(REPO_ROOT, 'profiles/fusion'));
const LOINC_VITALS: [string, EventValue, string?][] = [
  ['9279-1', 16], ['59408-5', 97], ['3150-0', 21, '%'], ['8480-6', 120], ['8867-4', 70], ['8310-5', 98.6, '[degF]'],
];
function vitalsBundle(overrides: Record<string, EventValue> = {}, drop: string[] = [], hoursAgo = 1) {
  const events = LOINC_VITALS.filter(([c]) => !drop.includes(c)).map(([code, value, unit], i) =>
    makeEvent({ id: `v${i}`, modality: 'vitals', code, value: overrides[code] ?? value, ...(unit ? { unit } : {}), clinicalHours: -hoursAgo }),
  );
  if (!drop.includes('acvpu')) {
    const e = makeEvent({ id: 'acvpu', modality: 'vitals', clinicalHours: -hoursAgo, value: overrides['acvpu'] ?? { system: 'http://snomed.info/sct', code: '248234008', display: 'Alert' } });
    events.push({ ...e, code: { system: 'http://snomed.info/sct', code: '1104441000000107' } });
  }
  return buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec, events });
}

describe('NEWS2 backend over an aligned bundle', () => {
  const news2 = createNews2Backend('news2');

  it('scores a complete set, converting °F and reading FiO2 21 % as air', async () => {
    const a = await news2.assess(vitalsBundle());
    expect(a).toMatchObject({ score: 0, grade: 'low', risk: 'low', missing: [], attribution: [{ modality: 'vitals', contribution: 0, present: true }] });
    expect(a.details).toMatchObject({ complete: true, subScores: { temperature: 0, supplementalOxygen: 0 } });
    expect(a.basis).toHaveLength(7);
  });

  it('RR 25 and voice → 6, medium', async () => {
    const a = await news2.assess(vitalsBundle({ '9279-1': 25, acvpu: 'V' }));
    expect(a).toMatchObject({ score: 6, grade: 'medium', risk: 'moderate' });
  });

  it('missing temperature → partial with a warning, never a silent zero', async () => {
    const a = await news2.assess(vitalsBundle({ '9279-1': 25 }, ['8310-5']));
    expect(a.score).toBeUndefined();
    expect(a.grade).toBe('partial');
    expect(a.details).toMatchObject({ partialSum: 3, missingParameters: ['temperature'] });
    expect(a.warnings.join()).toContain('missing temperature');
  });

  it('absent vitals → not assessed, vitals reported missing', async () => {
    const a = await news2.assess(buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec, events: [] }));
    expect(a).toMatchObject({ grade: 'not-assessed', missing: ['vitals'], attribution: [{ present: false }] });
  });

  it('stale vitals are scored with a warning', async () => {
    const a = await news2.assess(vitalsBundle({}, [], 13));
    expect(a.score).toBe(0);
    expect(a.warnings.join()).toContain('stale');
  });

  it('scale 2 option uses the hypercapnic chart', async () => {
    const a = await createNews2Backend('n2', { spo2Scale: 2 }).assess(vitalsBundle({ '59408-5': 97, '3150-0': 28 }));
    expect(a.details).toMatchObject({ spo2Scale: 2, subScores: { spo2: 3, supplementalOxygen: 2 } });
  });

  it('rejects unknown options', () => expect(() => createNews2Backend('x', { scale: 3 })).toThrow());
});
