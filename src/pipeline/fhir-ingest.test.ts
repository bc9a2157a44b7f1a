import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { OperationOutcomeError } from '../fhir/outcomes.js';
import { readResource } from '../fhir/resource.repository.js';
import { loadIdentityDeps } from '../identity/identity-deps.js';
import { createFhirIngest, type FhirIngest } from './fhir-ingest.js';
import { createObservers } from './observers.js';

const LAB = 'http://terminology.hl7.org/CodeSystem/observation-category';

const patient = (id: string, family: string): Patient => ({
  resourceType: 'Patient',
  id,
  identifier: [{ system: 'urn:oid:1.2.3.99', value: `MRN-${id}` }],
  name: [{ family, given: ['Ada'] }],
  gender: 'female',
  birthDate: '1961-04-12',
});
const observation = (id: string, subject: string, issued: string, status = 'final'): Observation =>
  ({
    resourceType: 'Observation',
    id,
    status,
    category: [{ coding: [{ system: LAB, code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
    subject: { reference: subject },
    effectiveDateTime: '2019-03-01T08:00:00Z',
    issued,
    valueQuantity: { value: 5.4, unit: 'mmol/L' },
  }) as Observation;

describe.each(ENGINES)('FHIR ingest service on %s', (engine) => {
  let database: TestDatabase;
  let ingest: FhirIngest;
  const count = async (type: string) =>
    Number((await database.db.selectFrom('fhir_resource').select((eb) => eb.fn.countAll().as('n')).where('resource_type', '=', type).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    ingest = createFhirIngest({ db: database.db, observers: createObservers({ identity: loadIdentityDeps() }) });
  });
  afterAll(() => database.close());

  it('a transaction with one invalid entry stores nothing and names that entry', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:6b7f3a52-0c41-4e8e-9a57-1f0f1d4f7c11', resource: patient('tx-1', 'Lovelace'), request: { method: 'POST', url: 'Patient' } },
        { resource: { ...observation('tx-obs', 'urn:uuid:6b7f3a52-0c41-4e8e-9a57-1f0f1d4f7c11', '2019-03-01T09:00:00Z'), status: 'not-a-status' } as unknown as Resource, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const err = await ingest.ingest(bundle, { kind: 'fhir-file' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationOutcomeError);
    const issue = (err as OperationOutcomeError).outcome.issue?.[0];
    expect(issue?.details?.text).toMatch(/^Bundle\.entry\[1\]/);
    expect(issue?.expression?.[0]).toMatch(/^Bundle\.entry\[1\]\.resource/);
    expect(await count('Patient')).toBe(0);
    expect(await count('Observation')).toBe(0);
  });

  it('a file transaction keeps the sender ids (urn:uuid fullUrl) and rewrites references to them', async () => {
    const urn = 'urn:uuid:0f4c2d8e-5b7a-4c39-9e61-2a8d7c3b1e55';
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: urn, resource: { ...patient('x', 'Hopper'), id: undefined } as Patient, request: { method: 'POST', url: 'Patient' } },
        { resource: { ...observation('obs-urn', urn, '2019-03-01T09:00:00Z'), id: undefined } as Observation, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const result = await ingest.ingest(bundle, { kind: 'fhir-file' });
    expect(result.entries.map((e) => e.result)).toEqual(['accepted', 'accepted']);
    const obsId = result.entries[1]?.stored?.id as string;
    const obs = (await readResource(database.db, 'Observation', obsId)) as Observation;
    expect(obs.subject?.reference).toBe('Patient/0f4c2d8e-5b7a-4c39-9e61-2a8d7c3b1e55');
    const again = await ingest.ingest(bundle, { kind: 'fhir-file' });
    expect(again.entries[0]?.result).toBe('duplicate');
  });

  it('a batch answers each entry: accepted, rejected with its index, duplicate on a resend', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: patient('b-1', 'Curie'), request: { method: 'PUT', url: 'Patient/b-1' } },
        { resource: { resourceType: 'Patient', id: 'b-2', gender: 'robot' } as unknown as Patient, request: { method: 'PUT', url: 'Patient/b-2' } },
        { resource: observation('b-obs', 'Patient/b-1', '2019-03-01T09:00:00Z'), request: { method: 'PUT', url: 'Observation/b-obs' } },
      ],
    };
    const first = await ingest.ingest(bundle, { kind: 'fhir-api' });
    expect(first.mode).toBe('batch');
    expect(first.entries.map((e) => e.result)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(first.entries[1]?.outcome?.issue?.[0]?.expression?.[0]).toMatch(/^Bundle\.entry\[1\]\.resource\.gender/);
    const second = await ingest.ingest(bundle, { kind: 'fhir-api' });
    expect(second.entries.map((e) => e.result)).toEqual(['duplicate', 'rejected', 'duplicate']);
  });

  it('runs the observers: the Patient gets a golden record, the Observation reaches the timeline', async () => {
    const live = await ingest.ingest(patient('obs-p', 'Noether'), { kind: 'fhir-api' });
    expect(live.entries[0]?.result).toBe('accepted');
    const link = await database.db.selectFrom('mpi_link').select(['golden_id']).where('source_id', '=', 'obs-p').executeTakeFirst();
    expect(link?.golden_id).toBeTruthy();

    await ingest.ingest(observation('live-obs', 'Patient/obs-p', '2019-03-01T09:00:00Z'), { kind: 'fhir-api' });
    await ingest.ingest(observation('file-obs', 'Patient/obs-p', '2019-03-01T09:00:00Z'), { kind: 'fhir-file' });
    await ingest.ingest(observation('pull-obs', 'Patient/obs-p', '2019-03-01T10:00:00Z'), { kind: 'fhir-pull' });
    const rows = await database.db
      .selectFrom('timeline_event')
      .select(['resource_id', 'available_rule', 'available_at', 'patient_record'])
      .where('resource_id', 'in', ['live-obs', 'file-obs', 'pull-obs'])
      .orderBy('resource_id')
      .execute();
    const byId = Object.fromEntries(rows.map((r) => [r.resource_id, r]));
    expect(byId['live-obs']?.available_rule).toBe('live');
    expect(new Date(byId['live-obs']?.available_at as Date).getTime()).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(byId['file-obs']).toMatchObject({ available_rule: 'backfill' });
    expect(new Date(byId['file-obs']?.available_at as Date).toISOString()).toBe('2019-03-01T09:00:00.000Z');
    expect(new Date(byId['pull-obs']?.available_at as Date).toISOString()).toBe('2019-03-01T10:00:00.000Z');
  });

  it('skips searchset outcome entries and rejects types Sinew does not store', async () => {
    const page: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'informational' }] }, search: { mode: 'outcome' } },
        { resource: { resourceType: 'Claim', id: 'c1' } as unknown as Resource, search: { mode: 'match' } },
      ],
    };
    const result = await ingest.ingest(page, { kind: 'fhir-pull' });
    expect(result.entries).toHaveLength(1);
    expect(result.entries[0]).toMatchObject({ index: 1, result: 'rejected' });
    expect(result.entries[0]?.outcome?.issue?.[0]?.details?.text).toContain('Claim is not a supported resource type');
  });
});
