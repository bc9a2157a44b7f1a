import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import { buildAlignedBundle } from '../../fusion/build-aligned-bundle.js';
import { loadSpec } from '../../fusion/spec.js';
import { INDEX_TIME, makeEvent } from '../../../test/support/event-fixtures.js';
import { REPO_ROOT } from '../../../test/support/paths.js';
import type { Assessment, ModelBackend } from '../model-backend.js';
import { createStackerBackend } from './stacker-backend.js';
import { sigmoid, stackerOptionsSchema } from './stacker-model.js';

const spec = loadSpec('default', path.join(REPO_ROOT, 'profiles/fusion'));
const fake = (name: string, out: Partial<Assessment> | Error): ModelBackend => ({
  name,
  capabilities: { needs: [], uses: [] },
  assess: async () => {
    if (out instanceof Error) throw out;
    return { outcome: { system: 's', code: 'c', display: 'd' }, attribution: [], missing: [], warnings: [], ...out };
  },
});
const OPTIONS = {
  outcome: { system: 's', code: 'det', display: 'Deterioration' },
  intercept: -3,
  weightsSource: 'test',
  specialists: [
    { model: 'v', modality: 'vitals', input: 'score', weight: 0.5, presenceWeight: 0.2 },
    { model: 'l', modality: 'labs', input: 'probability', weight: 1, presenceWeight: -0.1 },
  ],
};
function bundleWith(vitals: boolean, labs: boolean): AlignedBundle {
  const events = [
    ...(vitals ? [makeEvent({ id: 'hr', modality: 'vitals', code: '8867-4', value: 90, clinicalHours: -1 })] : []),
    ...(labs ? [makeEvent({ id: 'cr', code: '2160-0', value: 1, clinicalHours: -2 })] : []),
  ];
  return buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec, events });
}
const backends: Record<string, ModelBackend> = { v: fake('v', { score: 4, basis: ['hr'] }), l: fake('l', { probability: 0.5, basis: ['cr'] }) };

describe('late-fusion stacker', () => {
  it('all present: logistic over weight × x + presence weight, with contributions', async () => {
    const a = await createStackerBackend('st', OPTIONS, (n) => backends[n] as ModelBackend).assess(bundleWith(true, true));
    const z = -3 + (0.5 * 4 + 0.2) + (1 * 0 - 0.1);
    expect(a.probability).toBeCloseTo(sigmoid(z), 12);
    expect(a.attribution).toEqual([
      { modality: 'labs', contribution: expect.closeTo(-0.1, 12), present: true },
      { modality: 'vitals', contribution: expect.closeTo(2.2, 12), present: true },
    ]);
    expect(a.missing).toEqual([]);
    expect(a.details).toMatchObject({ mask: { vitals: 1, labs: 1 }, logit: expect.closeTo(z, 12) });
    expect(a.basis).toEqual(['cr', 'hr']);
  });

  it('a missing modality contributes exactly 0, is masked and reported, never imputed', async () => {
    const a = await createStackerBackend('st', OPTIONS, (n) => backends[n] as ModelBackend).assess(bundleWith(true, false));
    expect(a.probability).toBeCloseTo(sigmoid(-3 + 2.2), 12);
    expect(a.attribution.find((x) => x.modality === 'labs')).toEqual({ modality: 'labs', contribution: 0, present: false });
    expect(a.missing).toEqual(['labs']);
    expect(a.details).toMatchObject({ mask: { vitals: 1, labs: 0 } });
    expect(a.warnings.join()).toContain('labs missing (labs absent): contributes 0, not imputed');
  });

  it('all missing → the intercept alone', async () => {
    const a = await createStackerBackend('st', OPTIONS, (n) => backends[n] as ModelBackend).assess(bundleWith(false, false));
    expect(a.probability).toBeCloseTo(sigmoid(-3), 12);
    expect(a.missing).toEqual(['labs', 'vitals']);
  });

  it('a specialist that fails or gives no score is treated as missing with a reason', async () => {
    const broken = { v: fake('v', { grade: 'partial' }), l: fake('l', new Error('timeout')) };
    const a = await createStackerBackend('st', OPTIONS, (n) => broken[n as 'v' | 'l']).assess(bundleWith(true, true));
    expect(a.missing).toEqual(['labs', 'vitals']);
    expect(a.warnings.join('\n')).toMatch(/v gave no score \(partial\)[\s\S]*l failed: timeout/);
    // A failure is an error on its modality; a specialist with nothing to say is merely missing.
    expect(a.attribution.find((x) => x.modality === 'labs')?.error).toBe('l failed: timeout');
    expect(a.attribution.find((x) => x.modality === 'vitals')?.error).toBeUndefined();
  });

  it('stale modalities are missing unless acceptStale', async () => {
    const stale = buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec, events: [makeEvent({ id: 'hr', modality: 'vitals', code: '8867-4', value: 90, clinicalHours: -20 })] });
    const r = (n: string) => backends[n] as ModelBackend;
    expect((await createStackerBackend('st', OPTIONS, r).assess(stale)).missing).toContain('vitals');
    expect((await createStackerBackend('st', { ...OPTIONS, acceptStale: true }, r).assess(stale)).missing).not.toContain('vitals');
  });

  it('rejects bad options', () => {
    expect(stackerOptionsSchema.safeParse({ ...OPTIONS, specialists: [] }).success).toBe(false);
    expect(stackerOptionsSchema.safeParse({ ...OPTIONS, specialists: [{ ...OPTIONS.specialists[0], modality: 'ecg' }] }).success).toBe(false);
  });
});
