import { describe, expect, it } from '@jest/globals';
import type { Resource } from '@medplum/fhirtypes';
import { eventsFromResource } from './events-from-resource.js';
import { availableAt } from './new-timeline-event.js';

const received = new Date('2024-03-10T12:00:00Z');
const ctx = { versionId: '1', receivedAt: received, backfill: false, source: { kind: 'fhir' as const, system: 'http://ehr' } };
const subject = { reference: 'Patient/p1' };
const cat = (code: string) => [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] }];
const one = (r: unknown, c = ctx) => eventsFromResource(r as Resource, c);

describe('eventsFromResource', () => {
  it('a lab Observation: labs, value and unit, clinical time from effective, available from issued vs receipt', () => {
    const [e, ...rest] = one({ resourceType: 'Observation', id: 'o1', status: 'final', category: cat('laboratory'), subject, encounter: { reference: 'Encounter/e1' }, code: { coding: [{ system: 'http://loinc.org', code: '2160-0', display: 'Creatinine' }] }, effectiveDateTime: '2024-03-10T08:00:00Z', issued: '2024-03-10T14:00:00Z', valueQuantity: { value: 1.4, unit: 'mg/dL' } });
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ patientRecord: 'p1', encounterId: 'e1', modality: 'labs', category: 'laboratory', value: 1.4, unit: 'mg/dL', clinicalStart: '2024-03-10T08:00:00.000Z', sourceRecordedAt: '2024-03-10T14:00:00.000Z', availableAt: '2024-03-10T14:00:00.000Z', availableRule: 'live', factKey: '' });
  });

  it('a vital-signs panel expands its components into facts of one version', () => {
    const rows = one({ resourceType: 'Observation', id: 'bp', status: 'final', category: cat('vital-signs'), subject, code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] }, effectiveDateTime: '2024-03-10T10:00:00Z', component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, unit: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 80, unit: 'mm[Hg]' } },
    ] });
    expect(rows.map((r) => [r.modality, r.code?.code, r.value, r.factKey])).toEqual([
      ['vitals', '8480-6', 120, 'http://loinc.org|8480-6'],
      ['vitals', '8462-4', 80, 'http://loinc.org|8462-4'],
    ]);
  });

  it('DiagnosticReport: radiology → imaging, lab → labs, other → notes', () => {
    const dr = (code: string) => one({ resourceType: 'DiagnosticReport', id: 'r', status: 'final', subject, category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code }] }], code: { text: 'x' }, effectiveDateTime: '2024-03-09T10:00:00Z', conclusion: 'no change' })[0]?.modality;
    expect([dr('RAD'), dr('CT'), dr('LAB'), dr('EC')]).toEqual(['imaging', 'imaging', 'labs', 'notes']);
  });

  it('ImagingStudy, DocumentReference, medications, problems; Encounter and unclaimed resources give nothing', () => {
    expect(one({ resourceType: 'ImagingStudy', id: 'i', status: 'available', subject, started: '2024-03-01T10:00:00Z', modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }] })[0]).toMatchObject({ modality: 'imaging', code: { code: 'CT' } });
    expect(one({ resourceType: 'DocumentReference', id: 'd', status: 'current', subject, date: '2024-03-09T18:00:00Z', type: { coding: [{ system: 'http://loinc.org', code: '18842-5' }] }, content: [] })[0]).toMatchObject({ modality: 'notes', clinicalStart: '2024-03-09T18:00:00.000Z' });
    for (const t of ['MedicationRequest', 'MedicationStatement', 'MedicationAdministration']) {
      expect(one({ resourceType: t, id: 'm', status: 'active', subject, authoredOn: '2024-03-01T00:00:00Z', effectiveDateTime: '2024-03-01T00:00:00Z', medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '197361' }] } })[0]?.modality).toBe('medications');
    }
    const condition = one({ resourceType: 'Condition', id: 'c', subject, category: [{ coding: [{ code: 'problem-list-item' }] }], clinicalStatus: { coding: [{ code: 'active' }] }, code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006' }] }, onsetDateTime: '2020-01-01' })[0];
    expect(condition).toMatchObject({ modality: 'problems', status: 'active', clinicalStart: '2020-01-01T00:00:00.000Z' });
    expect(one({ resourceType: 'Condition', id: 'c', subject, verificationStatus: { coding: [{ code: 'entered-in-error' }] }, clinicalStatus: { coding: [{ code: 'active' }] }, recordedDate: '2024-01-01' })[0]?.status).toBe('entered-in-error');
    expect(one({ resourceType: 'Encounter', id: 'e', status: 'in-progress', subject, class: { code: 'IMP' } })).toEqual([]);
    expect(one({ resourceType: 'Observation', id: 'o', status: 'final', subject, category: cat('social-history'), code: { text: 'x' } })).toEqual([]);
    expect(one({ resourceType: 'Observation', id: 'o', status: 'final', category: cat('laboratory'), code: { text: 'x' } })).toEqual([]);
  });

  it('backfill takes the source time; without one, receipt time, and the rule says which', () => {
    const obs = (issued?: string) => ({ resourceType: 'Observation', id: 'o', status: 'final', subject, category: cat('laboratory'), code: { text: 'x' }, effectiveDateTime: '2019-01-01T00:00:00Z', ...(issued ? { issued } : {}) });
    expect(one(obs('2019-01-01T06:00:00Z'), { ...ctx, backfill: true })[0]).toMatchObject({ availableAt: '2019-01-01T06:00:00.000Z', availableRule: 'backfill', receivedAt: received.toISOString() });
    expect(one(obs(), { ...ctx, backfill: true })[0]).toMatchObject({ availableAt: received.toISOString(), availableRule: 'backfill-received' });
    expect(one(obs('2019-01-01T06:00:00Z'))[0]).toMatchObject({ availableAt: received.toISOString(), availableRule: 'live' });
  });
});

describe('availableAt', () => {
  const t = (s: string) => new Date(s);
  it('live = the later clock; backfill = the source clock', () => {
    expect(availableAt(t('2024-01-01T10:00:00Z'), t('2024-01-01T09:00:00Z'), false)).toEqual({ at: t('2024-01-01T10:00:00Z'), rule: 'live' });
    expect(availableAt(t('2024-01-01T08:00:00Z'), t('2024-01-01T09:00:00Z'), false)).toEqual({ at: t('2024-01-01T09:00:00Z'), rule: 'live' });
    expect(availableAt(undefined, t('2024-01-01T09:00:00Z'), false)).toEqual({ at: t('2024-01-01T09:00:00Z'), rule: 'live' });
    expect(availableAt(t('2020-01-01T08:00:00Z'), t('2024-01-01T09:00:00Z'), true)).toEqual({ at: t('2020-01-01T08:00:00Z'), rule: 'backfill' });
  });
});
