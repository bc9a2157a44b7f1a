import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseSearchRequest, OperationOutcomeError } from '@medplum/core';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { loadFhirDefinitions } from './fhir-definitions.js';
import { deleteResource, history, putResource, readResource, readVersion } from './resource.repository.js';
import { searchResources } from './resource-search.js';

const SRC = { kind: 'fhir-api' } as const;
const LOINC = 'http://loinc.org';
const MRN = 'urn:oid:1.2.3.4';

const patient = (id: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  id,
  identifier: [{ system: MRN, value: `MRN-${id}` }],
  name: [{ family: 'Müller', given: ['Anna', 'Maria'] }],
  gender: 'female',
  birthDate: '1980-06-15',
  ...extra,
});

const obs = (id: string, subject: string, code: string, when: string, extra: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: LOINC, code }] },
  subject: { reference: `Patient/${subject}` },
  encounter: { reference: 'Encounter/e1' },
  effectiveDateTime: when,
  valueQuantity: { value: 1.2, unit: 'mg/dL' },
  ...extra,
});

/** Patients the version tests write: nothing a search test looks for. */
const scratch = (id: string, extra: Partial<Patient> = {}): Patient =>
  patient(id, { name: [{ family: 'Scratch' }], birthDate: '1901-01-01', identifier: [{ system: MRN, value: `S-${id}` }], ...extra });

beforeAll(() => loadFhirDefinitions());

describe.each(ENGINES)('FHIR resource repository on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const db = database.db;
    await putResource(db, patient('p1'), { source: SRC });
    await putResource(db, patient('p2', { name: [{ family: 'Smith', given: ['John'] }], gender: 'male', birthDate: '1975', identifier: [{ system: 'urn:other', value: 'MRN-p1' }] }), { source: SRC });
    await putResource(db, obs('o1', 'p1', '2160-0', '2024-01-01T10:00:00Z'), { source: SRC, at: new Date('2024-01-02T00:00:00Z') });
    await putResource(db, obs('o2', 'p1', '718-7', '2024-02-01T10:00:00+01:00'), { source: SRC, at: new Date('2024-02-02T00:00:00Z') });
    await putResource(db, obs('o3', 'p2', '2160-0', '2024-03-01', { status: 'preliminary' }), { source: SRC, at: new Date('2024-03-02T00:00:00Z') });
  });
  afterAll(async () => {
    await database?.close();
  });

  const ids = async (q: string, opts = {}) => (await searchResources(database.db, parseSearchRequest(q), opts)).resources.map((r) => r.id).sort();

  describe('versions', () => {
    it('writes version 1, ignores an identical resend, and versions a change', async () => {
      const db = database.db;
      const first = await putResource(db, scratch('v1'), { source: SRC });
      expect(first).toMatchObject({ versionId: '1', changed: true });
      expect(first.resource.meta).toMatchObject({ versionId: '1' });
      const again = await putResource(db, { ...scratch('v1'), meta: { versionId: '9', lastUpdated: '2000-01-01T00:00:00Z' } }, { source: { kind: 'hl7v2', messageId: '7' } });
      expect(again).toMatchObject({ versionId: '1', changed: false });
      const changed = await putResource(db, scratch('v1', { gender: 'other' }), { source: SRC });
      expect(changed).toMatchObject({ versionId: '2', changed: true });
      expect(changed.previous).toMatchObject({ gender: 'female' });
      expect((await readResource(db, 'Patient', 'v1')) as Patient).toMatchObject({ gender: 'other', meta: { versionId: '2' } });
      expect((await readVersion(db, 'Patient', 'v1', '1')) as Patient).toMatchObject({ gender: 'female' });
      expect((await history(db, 'Patient', 'v1')).map((h) => h.versionId)).toEqual(['2', '1']);
    });

    it('deletes softly: 410 on read, a deletion version in history, search no longer finds it', async () => {
      const db = database.db;
      await putResource(db, scratch('d1', { identifier: [{ system: MRN, value: 'GONE' }] }), { source: SRC });
      expect(await deleteResource(db, 'Patient', 'd1', { source: SRC })).toEqual({ deleted: true, versionId: '2' });
      await expect(readResource(db, 'Patient', 'd1')).rejects.toMatchObject({ outcome: { issue: [{ code: 'deleted' }] } });
      await expect(readResource(db, 'Patient', 'nope')).rejects.toMatchObject({ outcome: { issue: [{ code: 'not-found' }] } });
      expect((await history(db, 'Patient', 'd1')).map((h) => [h.versionId, h.deleted])).toEqual([['2', true], ['1', false]]);
      expect(await ids('Patient?identifier=GONE')).toEqual([]);
    });

    it('is atomic inside the caller transaction', async () => {
      const db = database.db;
      await expect(
        db.transaction().execute(async (trx) => {
          await putResource(trx, scratch('tx1'), { source: SRC });
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await expect(readResource(db, 'Patient', 'tx1')).rejects.toBeInstanceOf(OperationOutcomeError);
    });
  });

  describe('validation', () => {
    it('collects every issue with its expression and writes nothing', async () => {
      const bad = { resourceType: 'Patient', id: 'bad id!', gender: 'xx', birthDate: '1980-13-45' } as unknown as Resource;
      const err = (await putResource(database.db, bad, { source: SRC }).catch((e: unknown) => e)) as OperationOutcomeError;
      expect(err).toBeInstanceOf(OperationOutcomeError);
      const expressions = err.outcome.issue?.flatMap((i) => i.expression ?? []);
      expect(expressions).toEqual(expect.arrayContaining(['Patient.birthDate', 'Patient.gender', 'Patient.id']));
    });

    it('checks coded values medplum does not', async () => {
      const bad = obs('bad1', 'p1', 'x', '2024-01-01', { status: 'bogus' as Observation['status'] });
      await expect(putResource(database.db, bad, { source: SRC })).rejects.toMatchObject({ outcome: { issue: [{ expression: ['Observation.status'] }] } });
      const cond = { resourceType: 'Condition', id: 'c-bad', subject: { reference: 'Patient/p1' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'sleeping' }] } } as Resource;
      await expect(putResource(database.db, cond, { source: SRC })).rejects.toMatchObject({ outcome: { issue: [{ expression: ['Condition.clinicalStatus'] }] } });
    });
  });

  describe('search', () => {
    it.each([
      ['Patient?identifier=MRN-p1', ['p1', 'p2']],
      [`Patient?identifier=${MRN}|MRN-p1`, ['p1']],
      ['Patient?name=mull', ['p1']],
      ['Patient?family=MÜLLER', ['p1']],
      ['Patient?given=mar', ['p1']],
      ['Patient?name:exact=Smith', ['p2']],
      ['Patient?gender=male', ['p2']],
      ['Patient?birthdate=1980-06-15', ['p1']],
      ['Patient?birthdate=ge1976-01-01&birthdate=lt1981', ['p1']],
      ['Patient?birthdate=le1975-06-01&birthdate=ge1950', ['p2']],
      ['Observation?patient=p1', ['o1', 'o2']],
      ['Observation?subject=Patient/p2', ['o3']],
      ['Observation?encounter=e1', ['o1', 'o2', 'o3']],
      [`Observation?code=${LOINC}|2160-0`, ['o1', 'o3']],
      ['Observation?code=718-7', ['o2']],
      ['Observation?category=laboratory', ['o1', 'o2', 'o3']],
      ['Observation?status=preliminary', ['o3']],
      ['Observation?status:not=preliminary', ['o1', 'o2']],
      ['Observation?date=2024-02', ['o2']],
      ['Observation?date=gt2024-01-31&date=lt2024-03-01', ['o2']],
      ['Observation?date=eq2024-03-01', ['o3']],
      ['Observation?_lastUpdated=ge2024-02-01', ['o2', 'o3']],
      ['Observation?_lastUpdated=lt2024-02-01', ['o1']],
      ['Observation?_id=o1,o3', ['o1', 'o3']],
      ['Observation?code=2160-0,718-7&patient=p1', ['o1', 'o2']],
    ])('%s', async (q, expected) => {
      expect(await ids(q)).toEqual(expected);
    });

    it('pages with a cursor and counts the total', async () => {
      const first = await searchResources(database.db, parseSearchRequest('Observation?_count=2&_sort=date'));
      expect(first.total).toBe(3);
      expect(first.resources.map((r) => r.id)).toEqual(['o1', 'o2']);
      expect(first.next).toBeDefined();
      const second = await searchResources(database.db, parseSearchRequest(`Observation?_count=2&_sort=date&_cursor=${first.next}`));
      expect(second.resources.map((r) => r.id)).toEqual(['o3']);
      expect(second.next).toBeUndefined();
      const desc = await searchResources(database.db, parseSearchRequest('Observation?_sort=-_lastUpdated'));
      expect(desc.resources.map((r) => r.id)).toEqual(['o3', 'o2', 'o1']);
    });

    it('includes and reverse-includes referenced resources', async () => {
      const r = await searchResources(database.db, parseSearchRequest('Observation?code=718-7&_include=Observation:patient'));
      expect(r.included.map((x) => `${x.resourceType}/${x.id}`)).toEqual(['Patient/p1']);
      const rev = await searchResources(database.db, parseSearchRequest('Patient?_id=p2&_revinclude=Observation:subject'));
      expect(rev.included.map((x) => x.id)).toEqual(['o3']);
    });

    it('rejects an unknown parameter unless lenient', async () => {
      await expect(searchResources(database.db, parseSearchRequest('Patient?shoesize=42'))).rejects.toMatchObject({ outcome: { issue: [{ code: 'not-supported' }] } });
      const r = await searchResources(database.db, parseSearchRequest('Patient?shoesize=42&gender=male'), { lenient: true });
      expect(r.resources.map((x) => x.id)).toEqual(['p2']);
      expect(r.warnings).toHaveLength(1);
    });

    it('confines a search to a patient compartment', async () => {
      expect(await ids('Observation?code=2160-0', { compartment: 'Patient/p1' })).toEqual(['o1']);
      expect(await ids('Patient?gender=male', { compartment: 'Patient/p1' })).toEqual([]);
    });
  });
});
