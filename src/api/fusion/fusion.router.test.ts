import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { REPO_ROOT } from '../../../test/support/paths.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { createBackendRegistry, DEFAULT_BACKEND_FACTORIES, loadModelConfigs } from '../../backends/registry.js';
import { loadSpecRegistry } from '../../fusion/spec.js';
import { fact, hoursFromIndex, TEST_INDEX } from '../../timeline/timeline-test-facts.js';
import { appendTimeline } from '../../timeline/timeline.repository.js';
import { outcomeErrorHandler } from '../outcome-middleware.js';
import { createFusionRouter } from './fusion.router.js';

const specs = loadSpecRegistry(path.join(REPO_ROOT, 'profiles/fusion'));
const backends = createBackendRegistry(
  [...loadModelConfigs(path.join(REPO_ROOT, 'profiles/models')), { name: 'slow', backend: 'onnx', spec: 'default', options: {} }, { name: 'garbage', backend: 'http', spec: 'default', options: {} }],
  {
    ...DEFAULT_BACKEND_FACTORIES,
    onnx: (c) => ({ name: c.name, capabilities: { needs: [], uses: [] }, assess: () => new Promise(() => undefined) }),
    http: (c) => ({ name: c.name, capabilities: { needs: [], uses: [] }, assess: async () => ({ probability: 7 }) as never }),
  },
);
const VITALS: [string, number][] = [['9279-1', 16], ['59408-5', 97], ['8480-6', 125], ['8867-4', 80], ['8310-5', 37.0]];

describe.each(ENGINES)('fusion router on %s', (engine) => {
  let t: TestDatabase;
  let app: express.Application;
  let scope: string | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await appendTimeline(t.db, [
      ...VITALS.map(([code, value], i) => fact({ resourceId: `v${i}`, modality: 'vitals', code, clinical: -1, available: -1, value })),
      fact({ resourceId: 'cr', clinical: -5, available: -4, value: 1.0 }),
    ]);
    app = express();
    app.use((_req, res, next) => {
      if (scope) res.locals.claims = { scope, sub: 'app', exp: 0, iat: 0 };
      next();
    });
    app.use('/fhir', createFusionRouter({ db: t.db, specs, backends, timeoutMs: 200, now: () => new Date(hoursFromIndex(24)), resolvePatientRecords: async (id) => (id === 'p1' ? ['p1'] : []) }));
    app.use(outcomeErrorHandler(() => undefined));
  });
  afterAll(async () => {
    await t.close();
  });
  const statuses = (body: { parameter: { name: string; part?: { name: string; valueCode?: string }[] }[] }) =>
    Object.fromEntries(body.parameter.filter((p) => p.name === 'modality').map((p) => [p.part?.[0]?.valueCode, p.part?.[1]?.valueCode]));

  it('GET $aligned-bundle answers Parameters with a bundle, modality parts and provenance', async () => {
    const r = await request(app).get(`/fhir/Patient/p1/$aligned-bundle?index-time=${TEST_INDEX}`).expect(200);
    expect(r.headers['content-type']).toMatch(/application\/fhir\+json/);
    expect(r.body.resourceType).toBe('Parameters');
    expect(statuses(r.body)).toMatchObject({ labs: 'present', vitals: 'present', imaging: 'absent' });
    expect(r.body.parameter.find((p: { name: string }) => p.name === 'bundle').resource.entry).toHaveLength(0);
  });

  it('an offset sent with an unescaped + still parses; POST takes a Parameters body', async () => {
    await request(app).get('/fhir/Patient/p1/$aligned-bundle?index-time=2024-03-10T13:00:00+01:00&modality=labs').expect(200);
    const r = await request(app)
      .post('/fhir/Patient/p1/$aligned-bundle')
      .set('content-type', 'application/fhir+json')
      .send({ resourceType: 'Parameters', parameter: [{ name: 'index-time', valueDateTime: TEST_INDEX }, { name: 'modality', valueCode: 'vitals' }] })
      .expect(200);
    expect(statuses(r.body)).toEqual({ vitals: 'present' });
  });

  it.each([
    ['a future index time', `/Patient/p1/$aligned-bundle?index-time=${hoursFromIndex(48)}`, 400, 'index-time'],
    ['a missing index time', '/Patient/p1/$aligned-bundle', 400, 'index-time'],
    ['an unknown spec', `/Patient/p1/$aligned-bundle?index-time=${TEST_INDEX}&spec=nope`, 400, 'spec'],
    ['an unknown parameter', `/Patient/p1/$aligned-bundle?index-time=${TEST_INDEX}&foo=1`, 400, 'foo'],
    ['an unknown patient', `/Patient/nobody/$aligned-bundle?index-time=${TEST_INDEX}`, 404, 'patient'],
    ['an unknown model', `/Patient/p1/$assess?model=gpt&index-time=${TEST_INDEX}`, 400, 'model'],
    ['a backend that times out', `/Patient/p1/$assess?model=slow&index-time=${TEST_INDEX}`, 503, 'model'],
    ['a backend that returns garbage', `/Patient/p1/$assess?model=garbage&index-time=${TEST_INDEX}`, 500, 'model'],
  ])('%s → OperationOutcome naming the parameter', async (_name, url, status, param) => {
    const r = await request(app).get(`/fhir${url}`).expect(status);
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect(r.body.issue[0].expression).toEqual([param]);
  });

  it('$assess returns a preliminary RiskAssessment and its Provenance', async () => {
    const r = await request(app).get(`/fhir/Patient/p1/$assess?model=stacker-default&index-time=${TEST_INDEX}`).expect(200);
    expect(r.body).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    const [ra, prov] = r.body.entry.map((e: { resource: unknown }) => e.resource);
    expect(ra).toMatchObject({ resourceType: 'RiskAssessment', status: 'preliminary', subject: { reference: 'Patient/p1' } });
    expect(prov).toMatchObject({ resourceType: 'Provenance', target: [{ reference: `RiskAssessment/${ra.id}` }] });
  });

  it('SMART: modalities the token may not read are not-authorized, never absent', async () => {
    scope = 'user/Observation.rs user/DiagnosticReport.rs';
    try {
      const r = await request(app).get(`/fhir/Patient/p1/$aligned-bundle?index-time=${TEST_INDEX}`).expect(200);
      expect(statuses(r.body)).toEqual({ labs: 'present', vitals: 'present', imaging: 'not-authorized', notes: 'not-authorized', medications: 'not-authorized', problems: 'not-authorized' });
    } finally {
      scope = undefined;
    }
  });
});
