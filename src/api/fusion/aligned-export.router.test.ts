import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { REPO_ROOT } from '../../../test/support/paths.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { alignedBundleFor } from '../../fusion/aligned-bundle.service.js';
import { loadSpecRegistry } from '../../fusion/spec.js';
import { recordEncounterEvent } from '../../timeline/encounter.repository.js';
import { fact, hoursFromIndex, TEST_INDEX } from '../../timeline/timeline-test-facts.js';
import { appendTimeline } from '../../timeline/timeline.repository.js';
import { outcomeErrorHandler } from '../outcome-middleware.js';
import { createFhirSurface } from '../fhir-surface.js';
import { ALIGNED_EXPORT_OPERATION, createAlignedExportRouter } from './aligned-export.router.js';

const specs = loadSpecRegistry(path.join(REPO_ROOT, 'profiles/fusion'));
const NOW = hoursFromIndex(24);

type Manifest = { transactionTime: string; request: string; requiresAccessToken: boolean; output: { type: string; url: string; count: number }[]; error: { type: string; url: string; count: number }[] };

describe.each(ENGINES)('$aligned-export on %s', (engine) => {
  let t: TestDatabase;
  let app: express.Application;
  let sub = 'trainer';
  const deps = () => ({ db: t.db, specs, now: () => new Date(NOW), resolvePatientRecords: async (id: string) => (id === 'p1' ? ['p1'] : []) });

  // A fresh PGlite template (rebuilt whenever any migration changes) can take over a minute on a busy host.
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await appendTimeline(t.db, [
      fact({ resourceId: 'hr', modality: 'vitals', clinical: -1, available: -1, value: 80 }),
      fact({ resourceId: 'cr', clinical: -5, available: -4, value: 1.0 }),
      fact({ resourceId: 'late', clinical: -3, available: 2, value: 2.0 }),
    ]);
    await recordEncounterEvent(t.db, { trigger: 'A01', encounterId: 'v1', patientRecord: 'p1', at: hoursFromIndex(-10), knownAt: hoursFromIndex(-10), location: 'W1' });
    await recordEncounterEvent(t.db, { trigger: 'A11', encounterId: 'v0', patientRecord: 'p1', at: hoursFromIndex(-30), knownAt: hoursFromIndex(-30) });
    app = express();
    app.use((_req, res, next) => {
      res.locals.claims = { scope: 'system/*.rs', sub, exp: 0, iat: 0 };
      next();
    });
    app.use('/fhir', createAlignedExportRouter(deps()));
    app.use(outcomeErrorHandler(() => undefined));
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  const kickOff = (parameter: unknown[]) =>
    request(app).post('/fhir/$aligned-export').set('content-type', 'application/fhir+json').set('prefer', 'respond-async').send({ resourceType: 'Parameters', parameter });

  /** Poll the status URL as a Bulk Data client does, until it stops answering 202. */
  async function poll(location: string): Promise<request.Response> {
    const url = new URL(location).pathname;
    for (let i = 0; i < 400; i++) {
      const r = await request(app).get(url);
      if (r.status !== 202) return r;
      expect(r.headers['x-progress']).toMatch(/of \d+ items/);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the export did not finish');
  }

  const lines = async (fileUrl: string) => (await request(app).get(new URL(fileUrl).pathname).expect(200)).text.trim().split('\n').map((l) => JSON.parse(l));

  it('kick-off → 202 + Content-Location → manifest with bundles, the missingness table and per-item errors', async () => {
    const r = await kickOff([
      { name: 'patient', valueReference: { reference: 'Patient/p1' } },
      { name: 'patient', valueReference: { reference: 'Patient/nobody' } },
      { name: 'index-time', valueDateTime: TEST_INDEX },
      { name: 'item', part: [{ name: 'patient', valueReference: { reference: 'Patient/p1' } }, { name: 'index-time', valueDateTime: hoursFromIndex(-2) }] },
    ]).expect(202);
    expect(r.headers['content-location']).toMatch(/\/fhir\/\$aligned-export-status\/[0-9a-f-]{36}$/);
    const done = await poll(r.headers['content-location'] as string);
    expect(done.status).toBe(200);
    const manifest = done.body as Manifest;
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.request).toMatch(/\/fhir\/\$aligned-export$/);
    expect(manifest.output.map((o) => [o.type, o.count])).toEqual([['Parameters', 2], ['missingness', 12]]);
    expect(manifest.error.map((o) => [o.type, o.count])).toEqual([['OperationOutcome', 1]]);

    const bundles = await lines(manifest.output[0]!.url);
    const at = (p: { parameter: { name: string; valueDateTime?: string }[] }) => p.parameter.find((x) => x.name === 'index-time')?.valueDateTime;
    expect(bundles.map(at).sort()).toEqual([hoursFromIndex(-2), TEST_INDEX]);
    expect(bundles[0].parameter[0]).toEqual({ name: 'patient', valueReference: { reference: 'Patient/p1' } });
    // The same service as the online operation: the same bundle, down to its identifier.
    const online = await alignedBundleFor(deps(), { patientId: 'p1', indexTime: TEST_INDEX });
    const exported = bundles.find((b) => at(b) === TEST_INDEX);
    expect(exported.parameter.find((x: { name: string }) => x.name === 'bundle').resource.identifier.value).toContain(online.id);

    const missing = await lines(manifest.output[1]!.url);
    const row = (indexTime: string, modality: string) => missing.find((m) => m.indexTime === indexTime && m.modality === modality);
    expect(row(TEST_INDEX, 'labs')).toMatchObject({ patient: 'p1', status: 'present', count: 1, asOf: TEST_INDEX });
    // The late creatinine (available at +2 h) is not in the index-time bundle: it is pending, not leaked.
    expect(row(TEST_INDEX, 'labs').pendingCount).toBe(1);
    expect(row(hoursFromIndex(-2), 'vitals')).toMatchObject({ status: 'absent', count: 0 });

    const errors = await lines(manifest.error[0]!.url);
    expect(errors[0].resourceType).toBe('OperationOutcome');
    expect(errors[0].issue[0].details.text).toMatch(/Patient\/nobody/);
  });

  it('an index rule takes one index time per encounter as known, cancelled ones excluded', async () => {
    const r = await kickOff([
      { name: 'patient', valueReference: { reference: 'Patient/p1' } },
      { name: 'index-rule', part: [{ name: 'anchor', valueCode: 'admission' }, { name: 'offset', valueString: 'PT2H' }] },
    ]).expect(202);
    const manifest = (await poll(r.headers['content-location'] as string)).body as Manifest;
    const bundles = await lines(manifest.output[0]!.url);
    expect(bundles.map((b) => b.parameter.find((x: { name: string }) => x.name === 'index-time').valueDateTime)).toEqual([hoursFromIndex(-8)]);
    expect(manifest.error).toEqual([]);
  });

  it.each([
    ['an unknown spec', [{ name: 'patient', valueReference: { reference: 'Patient/p1' } }, { name: 'index-time', valueDateTime: TEST_INDEX }, { name: 'spec', valueString: 'nope' }], 'spec'],
    ['no patients', [{ name: 'index-time', valueDateTime: TEST_INDEX }], 'patient'],
    ['a future index time', [{ name: 'patient', valueReference: { reference: 'Patient/p1' } }, { name: 'index-time', valueDateTime: hoursFromIndex(48) }], 'index-time'],
    ['no index time', [{ name: 'patient', valueReference: { reference: 'Patient/p1' } }], 'index-time'],
    ['an index time without a zone', [{ name: 'patient', valueReference: { reference: 'Patient/p1' } }, { name: 'index-time', valueDateTime: '2024-03-10T12:00:00' }], 'index-time'],
    ['an unknown anchor', [{ name: 'patient', valueReference: { reference: 'Patient/p1' } }, { name: 'index-rule', part: [{ name: 'anchor', valueCode: 'birth' }] }], 'index-rule.anchor'],
    ['an unknown output format', [{ name: 'patient', valueReference: { reference: 'Patient/p1' } }, { name: 'index-time', valueDateTime: TEST_INDEX }, { name: '_outputFormat', valueString: 'text/csv' }], '_outputFormat'],
  ])('%s → 400 OperationOutcome naming it', async (_name, parameter, where) => {
    const r = await kickOff(parameter).expect(400);
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect(r.body.issue.flatMap((i: { expression: string[] }) => i.expression)).toContain(where);
  });

  it('a body that is not Parameters is refused', async () => {
    const r = await request(app).post('/fhir/$aligned-export').set('content-type', 'application/fhir+json').send({ resourceType: 'Patient' }).expect(400);
    expect(r.body.issue[0].expression).toEqual(['Parameters']);
  });

  it('DELETE cancels: the job and its files are gone; another client may not see a job', async () => {
    const r = await kickOff([{ name: 'patient', valueReference: { reference: 'Patient/p1' } }, { name: 'index-time', valueDateTime: TEST_INDEX }]).expect(202);
    const status = new URL(r.headers['content-location'] as string).pathname;
    const manifest = (await poll(r.headers['content-location'] as string)).body as Manifest;
    sub = 'someone-else';
    try {
      expect((await request(app).get(status).expect(403)).body.issue[0].expression).toEqual(['id']);
      await request(app).get(new URL(manifest.output[0]!.url).pathname).expect(403);
      await request(app).delete(status).expect(403);
    } finally {
      sub = 'trainer';
    }
    await request(app).delete(status).expect(202);
    await request(app).get(status).expect(404);
    await request(app).get(new URL(manifest.output[0]!.url).pathname).expect(404);
  });
});

describe.each(ENGINES)('$aligned-export in the /fhir surface on %s', (engine) => {
  let t: TestDatabase;
  let app: express.Application;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    app = express();
    app.use('/fhir', createFhirSurface(t.db));
    app.use(outcomeErrorHandler(() => undefined));
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  it('the CapabilityStatement lists it as a system operation and its OperationDefinition is served', async () => {
    const cs = (await request(app).get('/fhir/metadata').expect(200)).body;
    expect(cs.rest[0].operation).toContainEqual({ name: 'aligned-export', definition: ALIGNED_EXPORT_OPERATION });
    const def = (await request(app).get('/fhir/OperationDefinition/aligned-export').expect(200)).body;
    expect(def).toMatchObject({ url: ALIGNED_EXPORT_OPERATION, code: 'aligned-export', system: true, instance: false });
  });

  it('routes kick-off, status and files ahead of the generic resource routes', async () => {
    const r = await request(app)
      .post('/fhir/$aligned-export')
      .set('content-type', 'application/fhir+json')
      .send({ resourceType: 'Parameters', parameter: [{ name: 'patient', valueReference: { reference: 'Patient/unknown' } }, { name: 'index-time', valueDateTime: TEST_INDEX }] })
      .expect(202);
    const status = new URL(r.headers['content-location'] as string).pathname;
    expect(status).toMatch(/^\/fhir\/\$aligned-export-status\//);
    let res = await request(app).get(status);
    for (let i = 0; res.status === 202 && i < 400; i++) res = await new Promise((ok) => setTimeout(ok, 25)).then(() => request(app).get(status));
    expect(res.status).toBe(200);
    expect(res.body.output).toEqual([]);
    const errors = await request(app).get(new URL(res.body.error[0].url).pathname).expect(200);
    expect(errors.headers['content-type']).toMatch(/application\/fhir\+ndjson/);
    expect(JSON.parse(errors.text.trim()).issue[0].code).toBe('not-found');
  });
});
