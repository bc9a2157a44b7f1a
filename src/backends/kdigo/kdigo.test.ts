import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildAlignedBundle } from '../../fusion/build-aligned-bundle.js';
import { loadSpec } from '../../fusion/spec.js';
import { INDEX_TIME, makeEvent } from '../../../test/support/event-fixtures.js';
import { REPO_ROOT } from '../../../test/support/paths.js';
import { createKdigoBackend } from './kdigo-backend.js';
import { kdigoStage } from './kdigo-stage.js';

const H = 3_600_000;
const series = (pairs: [number, number][]) => pairs.map(([h, v], i) => ({ timeMs: h * H, value: v, eventId: `c${i}` }));

describe('kdigoStage (KDIGO 2012, Table 2; creatinine only)', () => {
  it('stable values → no AKI', () => expect(kdigoStage(series([[0, 1.0], [24, 1.1], [48, 1.05]]))).toMatchObject({ stage: 0 }));
  it('a 0.3 mg/dL rise within 48 h → stage 1', () =>
    expect(kdigoStage(series([[0, 1.0], [40, 1.3]]))).toMatchObject({ stage: 1, at: { eventId: 'c1', rise48h: expect.closeTo(0.3, 9) } }));
  it('a 0.3 rise spread over 72 h with ratio < 1.5 → no AKI', () => expect(kdigoStage(series([[0, 1.0], [72, 1.3]])).stage).toBe(0));
  it('1.5× baseline within 7 days → stage 1', () => expect(kdigoStage(series([[0, 0.8], [150, 1.2]]))).toMatchObject({ stage: 1, at: { ratio: expect.closeTo(1.5, 9) } }));
  it('2.0–2.9× → stage 2', () => expect(kdigoStage(series([[0, 0.8], [100, 1.0], [140, 1.9]]))).toMatchObject({ stage: 2, at: { baseline: 0.8 } }));
  it('≥ 3.0× → stage 3', () => expect(kdigoStage(series([[0, 0.7], [120, 2.2]])).stage).toBe(3));
  it('rising to ≥ 4.0 mg/dL with AKI → stage 3 even below 3×', () =>
    expect(kdigoStage(series([[0, 3.0], [24, 4.1]]))).toMatchObject({ stage: 3, criteria: expect.arrayContaining([expect.stringContaining('≥ 4.0')]) }));
  it('a stable 4.5 mg/dL (CKD) is not AKI', () => expect(kdigoStage(series([[0, 4.5], [24, 4.5]])).stage).toBe(0));
  it('a baseline older than 7 days is not used', () => expect(kdigoStage(series([[0, 0.5], [24 * 8, 1.2]])).stage).toBe(0));
  it('reports the peak stage and the latest stage separately', () =>
    expect(kdigoStage(series([[0, 1.0], [24, 2.1], [96, 1.1]]))).toMatchObject({ stage: 2, latestStage: 0 }));
});

const dir = path.join(REPO_ROOT, 'profiles/fusion');
const creat = (id: string, hours: number, value: number, umol = false) =>
  makeEvent({ id, code: umol ? '14682-9' : '2160-0', value, unit: umol ? 'umol/L' : 'mg/dL', clinicalHours: hours, availableHours: hours + 2 });

describe('KDIGO backend', () => {
  const kdigo = createKdigoBackend('kdigo-aki');
  it('stages from a µmol/L trend in the aki spec window, saying urine output was not used', async () => {
    const bundle = buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec: loadSpec('aki', dir), events: [creat('a', -24 * 6, 70, true), creat('b', -30, 90, true), creat('c', -6, 150, true)] });
    const a = await kdigo.assess(bundle);
    expect(a).toMatchObject({ score: 2, grade: 'stage-2', risk: 'high', missing: [], attribution: [{ modality: 'labs', contribution: 2, present: true }] });
    expect(a.warnings.join()).toContain('urine output');
    expect(a.warnings.join()).not.toContain('shorter than');
    expect(a.basis?.sort()).toEqual(['a', 'b', 'c']);
  });

  it('warns when the default 72 h labs window limits the baseline', async () => {
    const bundle = buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec: loadSpec('default', dir), events: [creat('a', -40, 1.0), creat('b', -4, 1.4)] });
    const a = await kdigo.assess(bundle);
    expect(a.grade).toBe('stage-1');
    expect(a.warnings.join()).toContain("shorter than KDIGO's 7 days");
  });

  it('a result not yet available is not used (pending labs, no stage)', async () => {
    const bundle = buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec: loadSpec('aki', dir), events: [creat('a', -30, 1.0), { ...creat('late', -3, 3.5), availableAt: '2024-03-10T14:00:00.000Z' }] });
    const a = await kdigo.assess(bundle);
    expect(a).toMatchObject({ grade: 'not-assessed', missing: ['labs'] });
    expect(a.warnings.join()).toContain('1 creatinine value(s) in window');
  });
});
