import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, CapabilityStatement, Observation, Patient } from '@medplum/fhirtypes';
import { pino } from 'pino';
import request from 'supertest';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { generateSigningKey, type KeyPair } from '../../auth/signing-key.js';
import { mintToken } from '../../auth/tokens.js';
import { testConfig } from '../../config/load-config.js';
import { createClassifier } from '../../ingest/classify.js';
import { HandlerRegistry } from '../../ingest/handler-registry.js';
import { createIntake } from '../../ingest/intake.js';
import { saveMessages } from '../../ingest/message-store.repository.js';
import { MessageWorker } from '../../ingest/message-worker.js';
import { createHttpApp } from '../http-app.js';
import { createMetrics } from '../metrics.js';
import { createFhirRouter } from './fhir.router.js';

const PROFILES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../profiles');
const silent = pino({ level: 'silent' });
const LAB = 'http://terminology.hl7.org/CodeSystem/observation-category';

function buildApp(database: TestDatabase, key: KeyPair) {
  const db = database.db;
  const registry = new HandlerRegistry();
  const classifier = createClassifier(registry.supports.bind(registry));
  const worker = new MessageWorker(db, registry, silent);
  const metrics = createMetrics({ db, processMetrics: false });
  const intake = createIntake({ classifier, save: (m) => saveMessages(db, m) });
  const fhirRouter = createFhirRouter({ db, operationDefinitionsDir: PROFILES, extraOperations: [{ name: 'match', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match', resource: ['Patient'] }] });
  return createHttpApp({ db, config: testConfig({ auth: 'on' }), intake, worker, classifier, signingKey: key, metrics, logger: silent, fhirRouter });
}

const patient = (fullUrl: string, family: string, mrn: string) => ({
  fullUrl,
  resource: { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: mrn }], name: [{ family }], gender: 'male', birthDate: '1970-01-01' } as Patient,
  request: { method: 'POST', url: 'Patient' },
});
const observation = (subject: string, code: string, when: string, status = 'final') => ({
  resource: {
    resourceType: 'Observation',
    status,
    category: [{ coding: [{ system: LAB, code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code }] },
    subject: { reference: subject },
    effectiveDateTime: when,
  } as Observation,
  request: { method: 'POST', url: 'Observation' },
});

describe.each(ENGINES)('FHIR router on %s', (engine) => {
  let database: TestDatabase;
  let key: KeyPair;
  let admin: string;
  let app: ReturnType<typeof buildApp>;
  let pid: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    key = await generateSigningKey();
    admin = `Bearer ${await mintToken(key, { ttlSeconds: 300 })}`;
    app = buildApp(database, key);
    const tx: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        patient('urn:uuid:11111111-1111-4111-8111-111111111111', 'Everyman', 'R1'),
        observation('urn:uuid:11111111-1111-4111-8111-111111111111', '2160-0', '2024-01-01T10:00:00Z'),
        observation('urn:uuid:11111111-1111-4111-8111-111111111111', '718-7', '2024-02-01T10:00:00Z'),
        observation('urn:uuid:11111111-1111-4111-8111-111111111111', '2160-0', '2024-03-01T10:00:00Z', 'preliminary'),
      ] as Bundle['entry'],
    };
    const res = await post(tx);
    expect(res.status).toBe(200);
    pid = (res.body as Bundle).entry?.[0]?.resource?.id as string;
  });
  afterAll(async () => {
    await database?.close();
  });

  const get = (url: string, auth = admin) => request(app).get(url).set('Authorization', auth);
  const post = (body: unknown, auth = admin) => request(app).post('/fhir').set('Authorization', auth).set('Content-Type', 'application/fhir+json').send(JSON.stringify(body));

  it('serves a public CapabilityStatement listing types, search params and operations', async () => {
    const res = await request(app).get('/fhir/metadata');
    expect(res.status).toBe(200);
    const cs = res.body as CapabilityStatement;
    const obs = cs.rest?.[0]?.resource?.find((r) => r.type === 'Observation');
    expect(obs?.searchParam?.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'subject', 'encounter', 'date', 'code', 'category', 'status', '_lastUpdated']));
    const pat = cs.rest?.[0]?.resource?.find((r) => r.type === 'Patient');
    expect(pat?.searchParam?.map((p) => p.name)).toEqual(expect.arrayContaining(['identifier', 'name', 'family', 'given', 'birthdate', 'gender']));
    expect(pat?.operation?.map((o) => o.name)).toEqual(['everything', 'match']);
    expect(cs.rest?.[0]?.interaction?.map((i) => i.code)).toEqual(['transaction', 'batch']);
    const def = await get('/fhir/OperationDefinition/aligned-bundle');
    expect(def.body).toMatchObject({ resourceType: 'OperationDefinition', code: 'aligned-bundle' });
  });

  it('resolves urn:uuid references in a transaction and reads them back with ETag', async () => {
    const res = await get(`/fhir/Observation?patient=${pid}`);
    expect(res.status).toBe(200);
    expect((res.body as Bundle).total).toBe(3);
    const read = await get(`/fhir/Patient/${pid}`);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('W/"1"');
    expect((await get(`/fhir/Patient/${pid}/_history`)).body).toMatchObject({ type: 'history', total: 1 });
    expect((await get(`/fhir/Patient/${pid}/_history/1`)).body).toMatchObject({ id: pid });
  });

  it('pages a search with next links and includes the patient', async () => {
    const first = await get('/fhir/Observation?category=laboratory&_count=2&_sort=-date&_include=Observation:patient');
    const b = first.body as Bundle;
    expect(b.total).toBe(3);
    expect(b.entry?.filter((e) => e.search?.mode === 'match')).toHaveLength(2);
    expect(b.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id)).toEqual([pid]);
    const next = b.link?.find((l) => l.relation === 'next')?.url as string;
    const second = (await get(new URL(next).pathname + new URL(next).search)).body as Bundle;
    expect(second.entry?.filter((e) => e.search?.mode === 'match')).toHaveLength(1);
    expect(second.link?.find((l) => l.relation === 'next')).toBeUndefined();
  });

  it('answers errors as OperationOutcome: 404, 400 strict and lenient, 403, 401', async () => {
    expect((await get('/fhir/Patient/nope')).status).toBe(404);
    expect((await get('/fhir/Spaceship/1')).status).toBe(404);
    const strict = await get('/fhir/Patient?shoesize=42');
    expect(strict.status).toBe(400);
    expect(strict.body).toMatchObject({ resourceType: 'OperationOutcome' });
    const lenient = await get('/fhir/Patient?shoesize=42').set('Prefer', 'handling=lenient');
    expect(lenient.status).toBe(200);
    expect((await get('/fhir/Observation?date=notadate')).status).toBe(400);
    const reader = `Bearer ${await mintToken(key, { scope: 'system/Patient.rs', ttlSeconds: 60 })}`;
    expect((await get(`/fhir/Patient/${pid}`, reader)).status).toBe(200);
    const denied = await get('/fhir/Observation', reader);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
    expect((await request(app).get('/fhir/Patient')).status).toBe(401);
  });

  it('confines a patient-context token to its patient', async () => {
    const other = await post({ resourceType: 'Bundle', type: 'transaction', entry: [patient('urn:uuid:x', 'Other', 'R9')] });
    const otherId = (other.body as Bundle).entry?.[0]?.resource?.id as string;
    const app_ = `Bearer ${await mintToken(key, { scope: 'patient/*.rs', patient: pid, ttlSeconds: 60 })}`;
    expect((await get(`/fhir/Patient/${pid}`, app_)).status).toBe(200);
    expect((await get(`/fhir/Patient/${otherId}`, app_)).status).toBe(404);
    expect(((await get('/fhir/Patient', app_)).body as Bundle).entry?.map((e) => e.resource?.id)).toEqual([pid]);
  });

  it('fails a transaction with one bad entry as a whole, naming the entry', async () => {
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [patient('urn:uuid:a', 'Atomic', 'ATOM-1'), { resource: { resourceType: 'Patient', gender: 'robot' }, request: { method: 'POST', url: 'Patient' } }],
    });
    expect(res.status).toBe(400);
    expect(res.body.issue[0].details.text).toMatch(/^Bundle\.entry\[1\]/);
    expect(res.body.issue[0].expression).toEqual(['Bundle.entry[1].resource.gender']);
    expect(((await get('/fhir/Patient?identifier=ATOM-1')).body as Bundle).total).toBe(0);
  });

  it('runs a batch entry by entry with an outcome per failed entry', async () => {
    const res = await post({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        patient('urn:uuid:b', 'Batch', 'BATCH-1'),
        { resource: { resourceType: 'Patient', birthDate: '1980-13-45' }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: `Patient/${pid}` } },
      ],
    });
    expect(res.status).toBe(200);
    const entries = (res.body as Bundle).entry ?? [];
    expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '400', '200 OK']);
    expect(entries[1]?.response?.outcome?.issue?.[0]?.expression).toEqual(['Bundle.entry[1].resource.birthDate']);
    expect(((await get('/fhir/Patient?identifier=BATCH-1')).body as Bundle).total).toBe(1);
  });

  it('answers $everything with the patient and what refers to it', async () => {
    const res = await get(`/fhir/Patient/${pid}/$everything`);
    expect(res.status).toBe(200);
    const types = (res.body as Bundle).entry?.map((e) => e.resource?.resourceType);
    expect(types).toEqual(['Patient', 'Observation', 'Observation', 'Observation']);
    expect((await get('/fhir/Patient/nope/$everything')).status).toBe(404);
  });
});
