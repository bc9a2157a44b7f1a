import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Bundle, Parameters, Patient } from '@medplum/fhirtypes';
import express from 'express';
import request from 'supertest';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { mpiCommand } from '../../cli/mpi.command.js';
import { exportLinks, linksToCsv } from '../../identity/index-queries.js';
import { ANNA, BORIS, MRN, patient, testIdentityDeps } from '../../identity/mpi.fixtures.js';
import { indexSourcePatient } from '../../identity/patient-index.repository.js';
import { notFoundHandler, outcomeErrorHandler } from '../outcome-middleware.js';
import { createIdentityAdminRouter } from './identity-admin.router.js';
import { createIdentityRouter } from './identity.router.js';
import { MATCH_GRADE_URL } from './identity-operations.js';

const identity = testIdentityDeps();
const LAB = 'urn:oid:1.2.3.4.lab';
const at = new Date('2025-01-01T00:00:00Z');

describe.each(ENGINES)('identity HTTP and CLI (%s)', (engine) => {
  let database: TestDatabase;
  let app: express.Application;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    app = express();
    app.use('/fhir', createIdentityRouter({ db: database.db, identity }));
    app.use('/admin/identity', createIdentityAdminRouter({ db: database.db, identity }));
    app.use(notFoundHandler);
    app.use(outcomeErrorHandler(() => undefined));
    const index = (p: Patient) => indexSourcePatient(database.db, p, { at }, identity);
    await index(patient('north-1', { ...ANNA, ids: [[MRN, 'N-1']] }));
    await index(patient('lab-1', { ...ANNA, ids: [[LAB, 'L-77']] }));
    await index(patient('north-2', { ...BORIS, ids: [[MRN, 'N-2']] }));
  });
  afterAll(async () => {
    await database.close();
  });

  it('$match returns golden Patients with score and match-grade, best first, creating nothing', async () => {
    const body: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient('q', ANNA) }, { name: 'count', valueInteger: 5 }] };
    const res = await request(app).post('/fhir/Patient/$match').set('content-type', 'application/fhir+json').send(body);
    expect(res.status).toBe(200);
    const bundle = res.body as Bundle<Patient>;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    const entry = bundle.entry?.[0];
    expect(entry?.resource?.link?.map((l) => l.other.reference).sort()).toEqual(['Patient/lab-1', 'Patient/north-1']);
    expect(entry?.search?.score).toBeGreaterThan(0.9);
    expect(entry?.search?.extension).toEqual([{ url: MATCH_GRADE_URL, valueCode: 'certain' }]);
    const certainOnly = await request(app).post('/fhir/Patient/$match').send({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient('q', { given: 'Anna', family: 'Kowalski', gender: 'female' }) }, { name: 'onlyCertainMatches', valueBoolean: true }] });
    expect(certainOnly.body.total).toBe(0);
    expect((await database.db.selectFrom('mpi_source').select('id').execute()).map((r) => r.id)).not.toContain('q');
    const bad = await request(app).post('/fhir/Patient/$match').send({ resourceType: 'Parameters', parameter: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.resourceType).toBe('OperationOutcome');
  });

  it('$ihe-pix cross-references identifiers, with the PIXm error codes', async () => {
    const res = await request(app).get('/fhir/Patient/$ihe-pix').query({ sourceIdentifier: `${MRN}|N-1` });
    expect(res.status).toBe(200);
    const p = res.body as Parameters;
    expect(p.parameter?.filter((x) => x.name === 'targetIdentifier').map((x) => x.valueIdentifier)).toEqual([{ system: LAB, value: 'L-77' }]);
    expect(p.parameter?.filter((x) => x.name === 'targetId').map((x) => x.valueReference?.reference)).toEqual(['Patient/lab-1', 'Patient/north-1']);
    const targeted = await request(app).get('/fhir/Patient/$ihe-pix').query({ sourceIdentifier: `${MRN}|N-1`, targetSystem: LAB });
    expect(targeted.body.parameter.map((x: { name: string }) => x.name)).toEqual(['targetIdentifier', 'targetId']);
    expect((await request(app).get('/fhir/Patient/$ihe-pix').query({ sourceIdentifier: `${MRN}|NOPE` })).status).toBe(404);
    expect((await request(app).get('/fhir/Patient/$ihe-pix').query({ sourceIdentifier: 'urn:nobody|1' })).status).toBe(400);
    expect((await request(app).get('/fhir/Patient/$ihe-pix').query({ sourceIdentifier: `${MRN}|N-1`, targetSystem: 'urn:nobody' })).status).toBe(403);
  });

  it('mpi links CSV: one row per identifier with the columns of INTERFACE.md', async () => {
    const csv = linksToCsv(await exportLinks(database.db));
    const [header, ...lines] = csv.trim().split('\n');
    expect(header).toBe('system,value,record,golden,state,score');
    expect(lines).toHaveLength(3);
    const rows = lines.map((l) => l.split(','));
    const goldenOf = (record: string) => rows.find((r) => r[2] === record)?.[3];
    expect(goldenOf('north-1')).toBe(goldenOf('lab-1'));
    expect(goldenOf('north-2')).not.toBe(goldenOf('north-1'));
    expect(rows.every((r) => r[4] === 'MATCH')).toBe(true);
    const admin = await request(app).get('/admin/identity/links').query({ format: 'csv' });
    expect(admin.text).toBe(csv);
    if (database.url) {
      const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        await mpiCommand().parseAsync(['links', '--format', 'csv', '--database-url', database.url], { from: 'user' });
        expect(write.mock.calls.map((c) => String(c[0])).join('')).toBe(csv);
      } finally {
        write.mockRestore();
      }
    }
  });

  it('$merge merges by identifier, and the admin API explains, shows history and unmerges', async () => {
    const body: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'source-patient-identifier', valueIdentifier: { system: MRN, value: 'N-2' } },
        { name: 'target-patient', valueReference: { reference: 'Patient/north-1' } },
      ],
    };
    const preview = await request(app).post('/fhir/Patient/$merge').send({ ...body, parameter: [...(body.parameter ?? []), { name: 'preview', valueBoolean: true }] });
    expect(preview.status).toBe(200);
    expect((await request(app).get('/admin/identity/history/north-2')).body.links).toHaveLength(1);
    const res = await request(app).post('/fhir/Patient/$merge').send(body);
    expect(res.status).toBe(200);
    const result = (res.body as Parameters).parameter?.find((p) => p.name === 'result')?.resource as Patient;
    expect(result.link?.map((l) => l.other.reference)).toEqual(['Patient/lab-1', 'Patient/north-1', 'Patient/north-2']);
    const text = (res.body as Parameters).parameter?.find((p) => p.name === 'outcome')?.resource as { issue: { details: { text: string } }[] };
    const mergeId = /merge id (\d+)/.exec(text.issue[0]?.details.text ?? '')?.[1];
    const explain = await request(app).get('/admin/identity/explain').query({ a: 'north-1', b: 'north-2' });
    expect(explain.body.parts[0].comparison).toBe('prior');
    expect((await request(app).get('/admin/identity/history/north-2')).body.links.length).toBeGreaterThan(1);
    const undo = await request(app).post(`/admin/identity/unmerge/${mergeId}`);
    expect(undo.status).toBe(200);
    expect((await request(app).post(`/admin/identity/unmerge/${mergeId}`)).status).toBe(409);
    expect((await request(app).post('/admin/identity/link').send({ sourceId: 'nobody', goldenId: 'x' })).status).toBe(404);
    expect((await request(app).get('/admin/identity/review')).body.items).toEqual([]);
  });
});
