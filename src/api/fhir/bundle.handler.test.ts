import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Observation, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { pino } from 'pino';
import request from 'supertest';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { generateSigningKey } from '../../auth/signing-key.js';
import { mintToken } from '../../auth/tokens.js';
import { testConfig } from '../../config/load-config.js';
import { createClassifier } from '../../ingest/classify.js';
import { HandlerRegistry } from '../../ingest/handler-registry.js';
import { createIntake } from '../../ingest/intake.js';
import { saveMessages } from '../../ingest/message-store.repository.js';
import { MessageWorker } from '../../ingest/message-worker.js';
import { loadIdentityDeps } from '../../identity/identity-deps.js';
import { createFhirIngest } from '../../pipeline/fhir-ingest.js';
import { createObservers } from '../../pipeline/observers.js';
import { createHttpApp } from '../http-app.js';
import { createMetrics } from '../metrics.js';
import { createFhirRouter } from './fhir.router.js';

const PROFILES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../profiles');
const silent = pino({ level: 'silent' });
const VITALS = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];

const patient = (id: string, family: string): Patient => ({ resourceType: 'Patient', id, identifier: [{ system: 'urn:oid:1.2.3.55', value: id }], name: [{ family, given: ['Lu'] }], gender: 'other', birthDate: '1988-08-08' });
const pulse = (id: string, subject: string): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: VITALS,
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: subject },
  effectiveDateTime: '2018-06-01T07:00:00Z',
  issued: '2018-06-01T07:02:00Z',
  valueQuantity: { value: 72, unit: '/min' },
});

describe.each(ENGINES)('POST /fhir through the ingest service on %s', (engine) => {
  let database: TestDatabase;
  let app: ReturnType<typeof createHttpApp>;
  let admin: string;
  let readerOnly: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const db = database.db;
    const key = await generateSigningKey();
    admin = `Bearer ${await mintToken(key, { ttlSeconds: 300 })}`;
    readerOnly = `Bearer ${await mintToken(key, { ttlSeconds: 300, scope: 'system/Patient.cru system/Observation.cru' })}`;
    const registry = new HandlerRegistry();
    const classifier = createClassifier(registry.supports.bind(registry));
    const ingest = createFhirIngest({ db, observers: createObservers({ identity: loadIdentityDeps() }) });
    app = createHttpApp({
      db,
      config: testConfig({ auth: 'on' }),
      intake: createIntake({ classifier, save: (m) => saveMessages(db, m) }),
      worker: new MessageWorker(db, registry, silent),
      classifier,
      signingKey: key,
      metrics: createMetrics({ db, processMetrics: false }),
      logger: silent,
      fhirRouter: createFhirRouter({ db, operationDefinitionsDir: PROFILES, ingest }),
    });
  });
  afterAll(() => database.close());

  const post = (body: unknown, auth = admin, headers: Record<string, string> = {}) => {
    let r = request(app).post('/fhir').set('Authorization', auth).set('Content-Type', 'application/fhir+json');
    for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
    return r.send(JSON.stringify(body));
  };
  const countOf = async (type: string) => (await request(app).get(`/fhir/${type}?_count=100`).set('Authorization', admin)).body.entry?.length ?? 0;

  it('a transaction with one bad entry answers 400 naming it, and writes nothing', async () => {
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: patient('t-1', 'Okafor'), request: { method: 'PUT', url: 'Patient/t-1' } },
        { resource: { ...pulse('t-obs', 'Patient/t-1'), valueQuantity: { value: 'fast' } }, request: { method: 'PUT', url: 'Observation/t-obs' } },
      ],
    });
    expect(res.status).toBe(400);
    const outcome = res.body as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue?.[0]?.expression?.[0]).toMatch(/^Bundle\.entry\[1\]\.resource\.value/);
    expect(await countOf('Patient')).toBe(0);
  });

  it('a batch answers per entry, with the index of the bad one; a resend is answered as a duplicate', async () => {
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: patient('b-1', 'Ng'), request: { method: 'PUT', url: 'Patient/b-1' } },
        { resource: { resourceType: 'Patient', birthDate: 'yesterday' } as Patient, request: { method: 'POST', url: 'Patient' } },
        { resource: pulse('b-obs', 'Patient/b-1'), request: { method: 'PUT', url: 'Observation/b-obs' } },
      ],
    };
    const res = await post(batch);
    expect(res.status).toBe(200);
    const out = res.body as Bundle;
    expect(out.type).toBe('batch-response');
    expect(out.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '400', '201 Created']);
    const bad = out.entry?.[1]?.response?.outcome as OperationOutcome;
    expect(bad.issue?.[0]?.expression?.[0]).toBe('Bundle.entry[1].resource.birthDate');
    const again = (await post(batch)).body as Bundle;
    expect(again.entry?.[0]?.response?.status).toBe('200 OK');
    expect((again.entry?.[0]?.response?.outcome as OperationOutcome).issue?.[0]?.details?.coding?.[0]?.code).toBe('duplicate');
  });

  it('runs the observers: a golden record for the Patient, a live timeline row for the Observation', async () => {
    const link = await database.db.selectFrom('mpi_link').select('golden_id').where('source_id', '=', 'b-1').executeTakeFirst();
    expect(link?.golden_id).toBeTruthy();
    const row = await database.db.selectFrom('timeline_event').select('available_rule').where('resource_id', '=', 'b-obs').executeTakeFirstOrThrow();
    expect(row.available_rule).toBe('live');
  });

  it('x-sinew-source marks a backfill, for administrators only', async () => {
    const body = { resourceType: 'Bundle', type: 'batch', entry: [{ resource: pulse('f-obs', 'Patient/b-1'), request: { method: 'PUT', url: 'Observation/f-obs' } }] };
    const refused = await post(body, readerOnly, { 'x-sinew-source': 'fhir-file' });
    expect(refused.status).toBe(403);
    expect(((await post(body, admin, { 'x-sinew-source': 'bogus' })).body as OperationOutcome).issue?.[0]?.code).toBe('invalid');
    expect((await post(body, admin, { 'x-sinew-source': 'fhir-file' })).status).toBe(200);
    const row = await database.db.selectFrom('timeline_event').select(['available_rule', 'available_at']).where('resource_id', '=', 'f-obs').executeTakeFirstOrThrow();
    expect(row.available_rule).toBe('backfill');
    expect(new Date(row.available_at).toISOString()).toBe('2018-06-01T07:02:00.000Z');
  });
});
