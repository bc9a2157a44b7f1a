import type { Patient } from '@medplum/fhirtypes';
import { defaultProfileDir, loadIdentityDeps, type IdentityDeps } from './identity-deps.js';

/** Fixtures of the index's DB tests (and the demo): the shipped profiles, a fixed "today". */
export function testIdentityDeps(extra: Partial<IdentityDeps> = {}): IdentityDeps {
  return { ...loadIdentityDeps(defaultProfileDir(), { today: '2025-06-01' }), ...extra };
}

export const MRN = 'urn:oid:1.2.3.4.north-mrn';
export const NHS = 'urn:oid:2.16.840.1.113883.2.1.4.1';

export interface PatientFields {
  given?: string;
  family?: string;
  birthDate?: string;
  gender?: Patient['gender'];
  postcode?: string;
  line?: string;
  phone?: string;
  ids?: [string, string][];
}

export function patient(id: string, f: PatientFields): Patient {
  return {
    resourceType: 'Patient',
    id,
    ...(f.given || f.family ? { name: [{ ...(f.family ? { family: f.family } : {}), ...(f.given ? { given: [f.given] } : {}) }] } : {}),
    ...(f.birthDate ? { birthDate: f.birthDate } : {}),
    ...(f.gender ? { gender: f.gender } : {}),
    ...(f.postcode || f.line ? { address: [{ ...(f.line ? { line: [f.line] } : {}), ...(f.postcode ? { postalCode: f.postcode } : {}) }] } : {}),
    ...(f.phone ? { telecom: [{ system: 'phone' as const, value: f.phone }] } : {}),
    ...(f.ids ? { identifier: f.ids.map(([system, value]) => ({ system, value })) } : {}),
  };
}

export const ANNA: PatientFields = { given: 'Anna', family: 'Kowalski', birthDate: '1971-03-14', gender: 'female', postcode: '2600', line: '12 Mill Road', phone: '0412345678' };
export const BORIS: PatientFields = { given: 'Boris', family: 'Lindqvist', birthDate: '1958-11-02', gender: 'male', postcode: '3000', line: '4 Harbour St', phone: '0498765432' };
