import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Resource } from '@medplum/fhirtypes';
import { createValidator, type ResourceValidator } from './validate.js';

let validator: ResourceValidator;
beforeAll(() => {
  validator = createValidator();
});

describe('createValidator', () => {
  it('accepts a valid resource', () => {
    expect(validator.validate({ resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1980-01-01' })).toEqual([]);
  });

  it('reports structural errors from medplum with the resource and FHIRPath', () => {
    const issues = validator.validate({ resourceType: 'Patient', id: 'p1', birthDate: '1980-13-45' } as Resource);
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', location: 'Patient/p1: Patient.birthDate' })]);
  });

  it('checks the coded values and ids medplum lets through', () => {
    const bad = [
      { resourceType: 'Patient', id: 'p1', gender: 'xx' },
      { resourceType: 'Observation', id: 'o1', status: 'bogus', code: { text: 'x' } },
      { resourceType: 'Encounter', id: 'e1', status: 'open', class: { code: 'IMP' } },
      { resourceType: 'DiagnosticReport', id: 'bad id!', status: 'final', code: { text: 'x' } },
    ] as Resource[];
    expect(bad.map((r) => validator.validate(r).map((i) => i.location))).toEqual([
      ['Patient/p1: Patient.gender'], ['Observation/o1: Observation.status'], ['Encounter/e1: Encounter.status'], ['DiagnosticReport/bad id!: DiagnosticReport.id'],
    ]);
  });
});
