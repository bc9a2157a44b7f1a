import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Application } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { generateSigningKey } from '../../auth/signing-key.js';
import { mintToken } from '../../auth/tokens.js';
import { mpiCommand } from '../../cli/mpi.command.js';
import { testConfig } from '../../config/load-config.js';
import { LINK_EXPORT_COLUMNS } from '../../identity/index-queries.js';
import { ANNA, BORIS, MRN, patient, testIdentityDeps } from '../../identity/mpi.fixtures.js';
import { indexSourcePatient } from '../../identity/patient-index.repository.js';
import { createClassifier } from '../../ingest/classify.js';
import { HandlerRegistry } from '../../ingest/handler-registry.js';
import { createIntake } from '../../ingest/intake.js';
import { saveMessages } from '../../ingest/message-store.repository.js';
import { MessageWorker } from '../../ingest/message-worker.js';
import { structureOnlyHandler } from '../../ingest/structure-handler.js';
import { createAdminSurface } from '../admin-surface.js';
import { createHttpApp } from '../http-app.js';
import { createMetrics } from '../metrics.js';

const silent = pino({ level: 'silent' });
const at = new Date('2025-01-01T00:00:00Z');
const LAB = 'urn:oid:1.2.3.4.lab';
/** Anna's name, a birth date one day off and another phone: between the thresholds, so a review item. */
const WALK_IN = { given: 'Anna', family: 'Kowalski', gender: 'female', birthDate: '1971-03-15', phone: '0299990000' } satisfies Parameters<typeof patient>[1];

interface LinkRow {
  system: string;
  value: string;
  record: string;
  golden: string;
  state: string;
  score: number | null;
}

/** /admin/identity exactly as `sinew serve` mounts it: createHttpApp + the admin surface, auth on. */
describe.each(ENGINES)('/admin/identity through the HTTP app with auth on (%s)', (engine) => {
  let database: TestDatabase;
  let app: Application;
  let admin: string;
  let reader: string;
  const identity = testIdentityDeps();

  const get = (path: string, query: Record<string, string> = {}) => request(app).get(`/admin/identity${path}`).query(query).set('Authorization', admin);
  const post = (path: string, body: object = {}) => request(app).post(`/admin/identity${path}`).set('Authorization', admin).send(body);
  const links = async (): Promise<LinkRow[]> => (await get('/links')).body as LinkRow[];
  const goldenOf = async (record: string) => (await links()).find((r) => r.record === record)?.golden;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const db = database.db;
    const key = await generateSigningKey();
    admin = `Bearer ${await mintToken(key, { ttlSeconds: 300 })}`;
    reader = `Bearer ${await mintToken(key, { scope: 'system/*.rs', ttlSeconds: 300 })}`;
    const registry = new HandlerRegistry().register(structureOnlyHandler());
    const classifier = createClassifier(registry.supports.bind(registry));
    const worker = new MessageWorker(db, registry, silent);
    const metrics = createMetrics({ db, processMetrics: false });
    const intake = createIntake({ classifier, save: (m) => saveMessages(db, m), observer: metrics.intakeObserver });
    app = createHttpApp({ db, config: testConfig({ auth: 'on' }), intake, worker, classifier, signingKey: key, metrics, logger: silent, adminRouters: createAdminSurface(db) });
    const index = (id: string, f: Parameters<typeof patient>[1]) => indexSourcePatient(db, patient(id, f), { at }, identity);
    await index('north-1', { ...ANNA, ids: [[MRN, 'N-1']] });
    await index('lab-1', { ...ANNA, ids: [[LAB, 'L-77']] });
    await index('north-2', { ...BORIS, ids: [[MRN, 'N-2']] });
    const review = await index('walk-in', WALK_IN);
    expect(review.state).toBe('POSSIBLE_MATCH');
  }, 180_000);
  afterAll(async () => {
    await database?.close();
  });

  it('refuses callers without a token (401) and without the admin scope (403), as OperationOutcomes', async () => {
    const anonymous = await request(app).get('/admin/identity/review');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.resourceType).toBe('OperationOutcome');
    const forbidden = await request(app).post('/admin/identity/link').set('Authorization', reader).send({ sourceId: 'walk-in', goldenId: 'x' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.resourceType).toBe('OperationOutcome');
  });

  it('lists the review queue with the stored waterfall of each item', async () => {
    const res = await get('/review');
    expect(res.status).toBe(200);
    const items = res.body.items as { sourceId: string; goldenId: string; state: string; rule: string; score: number; explanation: { weight: number; parts: { comparison: string; weight: number }[] } }[];
    expect(items.map((i) => [i.sourceId, i.state])).toEqual([['walk-in', 'POSSIBLE_MATCH']]);
    const item = items[0] as (typeof items)[number];
    expect(item.goldenId).toBe(await goldenOf('north-1'));
    expect(item.rule).toBe('probabilistic-review');
    const sum = item.explanation.parts.reduce((s, p) => s + p.weight, 0);
    expect(sum).toBeCloseTo(item.explanation.weight, 6);
    expect(item.explanation.parts.map((p) => p.comparison)).toContain('family-name');
    expect((await get('/review', { count: '0' })).status).toBe(400);
  });

  it('exports links as CSV with the columns of INTERFACE.md, identical to `sinew mpi links --format csv`', async () => {
    const res = await get('/links', { format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...lines] = res.text.trim().split('\n');
    expect(header).toBe('system,value,record,golden,state,score');
    expect(header).toBe(LINK_EXPORT_COLUMNS.join(','));
    const rows = lines.map((l) => l.split(','));
    expect(rows.map((r) => `${r[2]}:${r[4]}`).sort()).toEqual(['lab-1:MATCH', 'north-1:MATCH', 'north-2:MATCH', 'walk-in:POSSIBLE_MATCH']);
    expect(rows.find((r) => r[2] === 'walk-in')?.slice(0, 2)).toEqual(['', '']);
    expect(rows.find((r) => r[2] === 'lab-1')?.[0]).toBe(LAB);
    for (const r of rows) expect(Number(r[5])).toBeGreaterThanOrEqual(0);
    if (database.url) {
      const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        await mpiCommand().parseAsync(['links', '--format', 'csv', '--database-url', database.url], { from: 'user' });
        expect(write.mock.calls.map((c) => String(c[0])).join('')).toBe(res.text);
      } finally {
        write.mockRestore();
      }
    }
    expect((await get('/links', { format: 'xml' })).status).toBe(400);
  });

  it('explains a pair of sources and a source against a golden record; unknown ids are 404', async () => {
    const pair = await get('/explain', { a: 'north-1', b: 'lab-1' });
    expect(pair.status).toBe(200);
    expect(pair.body).toMatchObject({ a: 'north-1', b: 'lab-1', kinds: ['source', 'source'], grade: 'match' });
    expect(pair.body.parts[0].comparison).toBe('prior');
    expect(pair.body.parts.reduce((s: number, p: { weight: number }) => s + p.weight, 0)).toBeCloseTo(pair.body.weight, 6);
    const golden = (await goldenOf('north-1')) as string;
    const against = await get('/explain', { a: golden, b: 'walk-in' });
    expect(against.body).toMatchObject({ a: 'walk-in', b: golden, kinds: ['source', 'golden'], grade: 'possible' });
    expect(against.body.parts.filter((p: { source?: string }) => p.source).every((p: { source: string }) => ['north-1', 'lab-1'].includes(p.source))).toBe(true);
    const missing = await get('/explain', { a: 'nobody', b: 'nothing' });
    expect(missing.status).toBe(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
  });

  it('links, unlinks, merges and unmerges; each change is MANUAL and signed by the token subject', async () => {
    const anna = (await goldenOf('north-1')) as string;
    const linked = await post('/link', { sourceId: 'walk-in', goldenId: anna });
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({ sourceId: 'walk-in', goldenId: anna, state: 'MATCH', how: 'MANUAL' });
    expect((await links()).find((r) => r.record === 'walk-in')).toMatchObject({ golden: anna, state: 'MATCH' });
    expect((await get('/review')).body.items).toEqual([]);
    const history = (await get('/history/walk-in')).body.links as { state: string; how: string; by: string | null }[];
    expect(history.some((l) => l.state === 'MATCH' && l.how === 'MANUAL' && l.by === 'local-admin')).toBe(true);

    const unlinked = await post('/unlink', { sourceId: 'walk-in', goldenId: anna });
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.newGoldenId).not.toBe(anna);
    expect(await goldenOf('walk-in')).toBe(unlinked.body.newGoldenId);
    // The do-not-match instruction holds: re-indexing the same record does not bring it back.
    await indexSourcePatient(database.db, patient('walk-in', WALK_IN), { at }, identity);
    expect(await goldenOf('walk-in')).not.toBe(anna);

    const boris = (await goldenOf('north-2')) as string;
    const merged = await post('/merge', { from: 'north-2', into: 'north-1' });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ fromGolden: boris, intoGolden: anna, moved: ['north-2'] });
    expect(await goldenOf('north-2')).toBe(anna);
    const undone = await post(`/unmerge/${merged.body.mergeId as string}`);
    expect(undone.status).toBe(200);
    expect(await goldenOf('north-2')).toBe(boris);
    expect((await post(`/unmerge/${merged.body.mergeId as string}`)).status).toBe(409);
  });

  it('answers bad stewardship requests with an OperationOutcome saying what is wrong', async () => {
    const noGolden = await post('/link', { sourceId: 'walk-in' });
    expect(noGolden.status).toBe(400);
    expect(noGolden.body.issue[0].details.text).toMatch(/goldenId/);
    expect((await post('/link', { sourceId: 'nobody', goldenId: 'x' })).status).toBe(404);
    expect((await post('/unlink', { sourceId: 'north-1', goldenId: 'not-its-golden' })).status).toBe(409);
    expect((await post('/merge', { from: 'north-1', into: 'lab-1' })).status).toBe(409);
    expect((await post('/unmerge/abc')).status).toBe(400);
  });
});
