/** @jest-environment ./test/support/onnx-test-environment.js */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Router, type Application } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { MODELS_DIR } from '../../../test/support/deterioration-model.js';
import { startOipTestServer, type OipTestServer } from '../../../test/support/oip-test-server.js';
import { REPO_ROOT } from '../../../test/support/paths.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { generateSigningKey } from '../../auth/signing-key.js';
import { mintToken } from '../../auth/tokens.js';
import { createBackendRegistry, loadModelConfigs } from '../../backends/registry.js';
import { testConfig } from '../../config/load-config.js';
import type { Db } from '../../db/database.js';
import { loadSpecRegistry } from '../../fusion/spec.js';
import { createClassifier } from '../../ingest/classify.js';
import { HandlerRegistry } from '../../ingest/handler-registry.js';
import { createIntake } from '../../ingest/intake.js';
import { saveMessages } from '../../ingest/message-store.repository.js';
import { MessageWorker } from '../../ingest/message-worker.js';
import { structureOnlyHandler } from '../../ingest/structure-handler.js';
import type { NewTimelineEvent } from '../../timeline/new-timeline-event.js';
import { fact, hoursFromIndex, TEST_INDEX } from '../../timeline/timeline-test-facts.js';
import { appendTimeline } from '../../timeline/timeline.repository.js';
import { createAdminSurface } from '../admin-surface.js';
import { createHttpApp } from '../http-app.js';
import { createMetrics } from '../metrics.js';
import { createFusionRouter } from './fusion.router.js';

const silent = pino({ level: 'silent' });
const NOW = new Date(hoursFromIndex(1));
const UNITS: Record<string, string> = { '9279-1': '/min', '8867-4': '/min', '8480-6': 'mm[Hg]', '8310-5': 'Cel', '59408-5': '%', '2160-0': 'mg/dL', '2524-7': 'mmol/L' };
const withUnit = (e: NewTimelineEvent): NewTimelineEvent => ({ ...e, unit: UNITS[e.code?.code ?? ''] as string });

/** A week of reference creatinine around 1.0 from one analyser, then a day where it reads 40 % higher. */
function timeline(): NewTimelineEvent[] {
  const rows: NewTimelineEvent[] = [];
  for (let i = 0; i < 40; i++) {
    rows.push({ ...withUnit(fact({ resourceId: `ref${i}`, patient: `other${i}`, clinical: -100 - i, available: -100 - i, value: 0.9 + (i % 10) / 50 })), source: { kind: 'hl7v2', system: 'ANALYSER-2' } });
    rows.push({ ...withUnit(fact({ resourceId: `cur${i}`, patient: `other${i}`, clinical: -i / 2, available: -i / 2, value: 1.3 + (i % 10) / 50 })), source: { kind: 'hl7v2', system: 'ANALYSER-2' } });
  }
  const vitals: [string, number][] = [['9279-1', 26], ['8867-4', 118], ['8480-6', 92], ['8310-5', 38.9], ['59408-5', 91]];
  rows.push(...vitals.map(([code, value], i) => withUnit(fact({ resourceId: `v${i}`, modality: 'vitals', code, clinical: -1.5, available: -1.5, value }))));
  rows.push(withUnit(fact({ resourceId: 'p1-cr', clinical: -5, available: -4, value: 2.4 })));
  return rows;
}

async function bundleLogRows(db: Db, n: number): Promise<number> {
  // Bundles are logged after the answer has gone out: wait for the write, briefly.
  for (let i = 0; i < 100; i++) {
    const r = await db.selectFrom('bundle_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst();
    if (Number(r?.n) >= n) return Number(r?.n);
    await new Promise((res) => setTimeout(res, 20));
  }
  return -1;
}

/** The fusion operations, /admin/monitoring and /metrics exactly as the HTTP app mounts them, auth on. */
describe.each(ENGINES)('fusion monitoring and model backends through the HTTP app (%s)', (engine) => {
  let database: TestDatabase;
  let oip: OipTestServer;
  let app: Application;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    oip = await startOipTestServer();
    const db = database.db;
    const key = await generateSigningKey();
    admin = `Bearer ${await mintToken(key, { ttlSeconds: 300 })}`;
    const shipped = loadModelConfigs(MODELS_DIR);
    const onnx = shipped.find((c) => c.name === 'onnx-deterioration');
    const { model: _m, threads: _t, ...features } = onnx?.options ?? {};
    const backends = createBackendRegistry([
      ...shipped,
      { name: 'remote', backend: 'http', spec: 'default', options: { ...features, url: oip.url, model: 'deterioration' } },
      { name: 'remote-broken', backend: 'http', spec: 'default', options: { ...features, url: oip.url, model: 'broken' } },
      { name: 'remote-slow', backend: 'http', spec: 'default', options: { ...features, url: oip.url, model: 'slow', timeoutMs: 200 } },
    ]);
    const fusion = createFusionRouter({ db, specs: loadSpecRegistry(path.join(REPO_ROOT, 'profiles/fusion')), backends, now: () => NOW, resolvePatientRecords: async (id) => (id === 'p1' ? ['p1'] : []) });
    const registry = new HandlerRegistry().register(structureOnlyHandler());
    const classifier = createClassifier(registry.supports.bind(registry));
    const metrics = createMetrics({ db, processMetrics: false, fusion: { now: () => new Date(hoursFromIndex(2)), windowMs: 26 * 3_600_000, referenceMs: 300 * 3_600_000, cacheMs: 0 } });
    const intake = createIntake({ classifier, save: (m) => saveMessages(db, m), observer: metrics.intakeObserver });
    app = createHttpApp({
      db,
      config: testConfig({ auth: 'on' }),
      intake,
      worker: new MessageWorker(db, registry, silent),
      classifier,
      signingKey: key,
      metrics,
      logger: silent,
      fhirRouter: Router().use(fusion),
      adminRouters: createAdminSurface(db),
    });
    await appendTimeline(db, timeline());
  }, 180_000);
  afterAll(async () => {
    await oip?.close();
    await database?.close();
  });

  it('$assess with the ONNX model answers a RiskAssessment with per-modality attribution, and the bundle is logged', async () => {
    const r = await request(app).get(`/fhir/Patient/p1/$assess?model=onnx-deterioration&index-time=${TEST_INDEX}`).set('Authorization', admin).expect(200);
    const ra = r.body.entry[0].resource;
    expect(ra).toMatchObject({ resourceType: 'RiskAssessment', status: 'preliminary', method: { coding: [{ code: 'onnx-deterioration' }] } });
    expect(ra.prediction[0].probabilityDecimal).toBeGreaterThan(0.9);
    const modalities = ra.extension.map((x: { extension: { url: string; valueCode?: string }[] }) => x.extension.find((e) => e.url === 'modality')?.valueCode);
    expect(modalities).toEqual(['labs', 'vitals']);
    expect(await bundleLogRows(database.db, 1)).toBe(1);
  });

  it('$assess over a model server gives the same probability as the in-process ONNX model', async () => {
    const q = `index-time=${TEST_INDEX}`;
    const local = await request(app).get(`/fhir/Patient/p1/$assess?model=onnx-deterioration&${q}`).set('Authorization', admin).expect(200);
    const remote = await request(app).get(`/fhir/Patient/p1/$assess?model=remote&${q}`).set('Authorization', admin).expect(200);
    expect(remote.body.entry[0].resource.prediction[0].probabilityDecimal).toBeCloseTo(local.body.entry[0].resource.prediction[0].probabilityDecimal, 5);
  });

  it.each([
    ['remote-broken', 500, 'exception', /model "remote-broken": the model server answered 500 .*CUDA out of memory/],
    ['remote-slow', 503, 'timeout', /model "remote-slow": the model server did not answer within 200 ms/],
  ])('a failing model server (%s) becomes an OperationOutcome', async (model, status, code, text) => {
    const r = await request(app).get(`/fhir/Patient/p1/$assess?model=${model}&index-time=${TEST_INDEX}`).set('Authorization', admin).expect(status);
    expect(r.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code, expression: ['model'] }] });
    expect(r.body.issue[0].details.text).toMatch(text);
  });

  it('GET /admin/monitoring needs the admin scope and reports presence, staleness and the drifted analyser', async () => {
    await request(app).get(`/fhir/Patient/p1/$aligned-bundle?index-time=${TEST_INDEX}`).set('Authorization', admin).expect(200);
    // Three successful $assess calls and this bundle; a failed assessment logs nothing.
    const logged = await bundleLogRows(database.db, 4);
    expect(logged).toBe(4);
    await request(app).get('/admin/monitoring').expect(401);
    const q = `from=${hoursFromIndex(-24)}&to=${hoursFromIndex(2)}&reference-from=${hoursFromIndex(-300)}&reference-to=${hoursFromIndex(-24)}`;
    const r = await request(app).get(`/admin/monitoring?${q}`).set('Authorization', admin).expect(200);
    expect(r.body.bundles).toBe(logged);
    const labs = r.body.modalities.find((m: { name: string }) => m.name === 'labs');
    expect(labs).toMatchObject({ presenceRate: 1, statusCounts: { present: logged } });
    expect(labs.staleness.max).toBe(5 * 3600);
    expect(r.body.modalities.find((m: { name: string }) => m.name === 'imaging')).toMatchObject({ presenceRate: 0, staleness: null });
    expect(r.body.drift[0]).toMatchObject({ modality: 'labs', source: 'ANALYSER-2', code: 'http://loinc.org|2160-0', kind: 'numeric' });
    expect(r.body.drift[0].psi).toBeGreaterThan(0.25);
  });

  it('/metrics carries per-modality presence and staleness and the drift gauge', async () => {
    expect(await bundleLogRows(database.db, 4)).toBe(4);
    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(text).toContain('sinew_fusion_modality_presence_ratio{modality="labs"} 1');
    expect(text).toContain('sinew_fusion_modality_presence_ratio{modality="imaging"} 0');
    expect(text).toMatch(/sinew_fusion_modality_staleness_seconds\{modality="vitals",quantile="0\.5"\} 5400/);
    expect(text).toMatch(/sinew_fusion_drift_psi\{modality="labs",source="ANALYSER-2"\} (\d+\.\d+)/);
    expect(Number(/sinew_fusion_drift_psi\{modality="labs",source="ANALYSER-2"\} ([\d.]+)/.exec(text)?.[1])).toBeGreaterThan(0.25);
  });
});
