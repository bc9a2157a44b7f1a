import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Router } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { generateSigningKey, type KeyPair } from '../auth/signing-key.js';
import { mintToken } from '../auth/tokens.js';
import { testConfig } from '../config/load-config.js';
import { createMigrator } from '../db/migrator.js';
import { createClassifier } from '../ingest/classify.js';
import { HandlerRegistry } from '../ingest/handler-registry.js';
import { createIntake } from '../ingest/intake.js';
import { saveMessages } from '../ingest/message-store.repository.js';
import { MessageWorker } from '../ingest/message-worker.js';
import { structureOnlyHandler } from '../ingest/structure-handler.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { createHttpApp } from './http-app.js';
import { createMetrics } from './metrics.js';

const ADT_A01 = (controlId: string) =>
  [
    `MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|SINEW|SINEW|20240101120000||ADT^A01^ADT_A01|${controlId}|P|2.5.1`,
    'EVN|A01|20240101120000',
    'PID|1||PATID1234^^^GOODHEALTH^MR||EVERYMAN^ADAM^A||19610615|M',
    'PV1|1|I|2000^2012^01',
  ].join('\r') + '\r';

const silent = pino({ level: 'silent' });

function build(database: TestDatabase, key: KeyPair, auth: 'on' | 'off' = 'on', fhirRouter?: Router) {
  const db = database.db;
  const registry = new HandlerRegistry().register(structureOnlyHandler());
  const classifier = createClassifier(registry.supports.bind(registry));
  const worker = new MessageWorker(db, registry, silent);
  const metrics = createMetrics({ db, processMetrics: false });
  metrics.attachWorker(worker);
  const intake = createIntake({ classifier, save: (m) => saveMessages(db, m), observer: metrics.intakeObserver });
  const app = createHttpApp({ db, config: testConfig({ auth }), intake, worker, classifier, signingKey: key, metrics, logger: silent, fhirRouter });
  return { app, worker };
}

describe.each(ENGINES)('http app on %s', (engine) => {
  let database: TestDatabase;
  let key: KeyPair;
  let admin: string;
  let app: ReturnType<typeof build>['app'];
  let worker: MessageWorker;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    key = await generateSigningKey();
    admin = `Bearer ${await mintToken(key, { ttlSeconds: 300 })}`;
    ({ app, worker } = build(database, key));
  });
  afterAll(async () => {
    await database?.close();
  });

  const hl7 = (body: string | Buffer, auth = admin) =>
    request(app).post('/hl7v2').set('Authorization', auth).set('Content-Type', 'x-application/hl7-v2+er7').send(Buffer.from(body));

  describe('auth', () => {
    it('answers 401 with WWW-Authenticate and an OperationOutcome without a token', async () => {
      for (const path of ['/admin/messages', '/hl7v2']) {
        const res = await request(app).get(path);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
      }
    });

    it('answers 401 for a token signed by another key', async () => {
      const other = await mintToken(await generateSigningKey(), { ttlSeconds: 60 });
      const res = await request(app).get('/admin/messages').set('Authorization', `Bearer ${other}`);
      expect(res.status).toBe(401);
      expect(res.body.issue[0].details.text).toMatch(/signature/);
    });

    it('answers 403 for a token lacking the scope', async () => {
      const reader = `Bearer ${await mintToken(key, { scope: 'system/*.rs', ttlSeconds: 60 })}`;
      const res = await request(app).get('/admin/messages').set('Authorization', reader);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
      expect((await hl7(ADT_A01('NOPE'), reader)).status).toBe(403);
    });

    it('lets system/*.c post HL7 but not read the admin routes', async () => {
      const sender = `Bearer ${await mintToken(key, { scope: 'system/*.c', ttlSeconds: 60 })}`;
      expect((await hl7(ADT_A01('SENDER-1'), sender)).status).toBe(200);
      expect((await request(app).get('/admin/messages').set('Authorization', sender)).status).toBe(403);
    });
  });

  describe('health and discovery', () => {
    it('/healthz and /readyz answer 200', async () => {
      expect((await request(app).get('/healthz')).status).toBe(200);
      const ready = await request(app).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ready', database: 'ok', schema: 'current' });
      expect(ready.body.warnings).toBeUndefined();
    });

    it('serves SMART discovery and the public JWKS', async () => {
      const conf = await request(app).get('/.well-known/smart-configuration');
      expect(conf.status).toBe(200);
      expect(conf.body.capabilities).toContain('permission-v2');
      expect(conf.body.code_challenge_methods_supported).toEqual(['S256']);
      const jwks = await request(app).get(new URL(conf.body.jwks_uri).pathname);
      expect(jwks.body.keys).toEqual([expect.objectContaining({ kid: key.kid })]);
      expect(jwks.body.keys[0]).not.toHaveProperty('d');
    });

    it('answers unknown routes with a 404 OperationOutcome', async () => {
      const res = await request(app).get('/nowhere?x=1');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
    });
  });

  describe('POST /hl7v2 and the message store', () => {
    it('stores an ADT^A01 and answers the MLLP ACK', async () => {
      const res = await hl7(ADT_A01('CTRL-1'));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^x-application\/hl7-v2\+er7/);
      expect(res.text).toMatch(/^MSH\|/);
      expect(res.text).toContain('MSA|AA|CTRL-1');
      const list = await request(app).get('/admin/messages?controlId=CTRL-1').set('Authorization', admin);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({ controlId: 'CTRL-1', type: 'ADT^A01', status: 'accepted', duplicateOf: null, sender: 'ADT1|GOOD HEALTH HOSPITAL' }),
      ]);
    });

    it('acknowledges a resend AA and lists it as a duplicate', async () => {
      const first = await hl7(ADT_A01('CTRL-2'));
      const again = await hl7(ADT_A01('CTRL-2'));
      expect(again.text).toContain('MSA|AA|CTRL-2');
      expect(first.text).toContain('MSA|AA|CTRL-2');
      const list = await request(app).get('/admin/messages?controlId=CTRL-2').set('Authorization', admin);
      const [dup, original] = list.body.items;
      expect(dup).toMatchObject({ status: 'duplicate', duplicateOf: original.id });
      expect(original).toMatchObject({ status: 'accepted', duplicateOf: null });
      const dups = await request(app).get('/admin/messages?status=duplicate').set('Authorization', admin);
      expect(dups.body.items.map((i: { id: string }) => i.id)).toContain(dup.id);
    });

    it('rejects garbage with MSA|AR and stores it as rejected', async () => {
      const res = await hl7('this is not HL7 at all');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/MSA\|AR\|/);
      const list = await request(app).get('/admin/messages?status=rejected').set('Authorization', admin);
      expect(list.body.items[0]).toMatchObject({ status: 'rejected', reason: [expect.objectContaining({ code: 100 })] });
    });

    it('answers an empty body with a 400 OperationOutcome', async () => {
      const res = await request(app).post('/hl7v2').set('Authorization', admin).set('Content-Type', 'text/plain').send('');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid' }] });
    });

    it('pages the store by id, newest first', async () => {
      for (const n of [1, 2, 3]) await hl7(ADT_A01(`PAGE-${n}`));
      const seen: string[] = [];
      let url: string | null = '/admin/messages?count=2';
      while (url) {
        const res: request.Response = await request(app).get(url.replace(/^https?:\/\/[^/]+/, '')).set('Authorization', admin);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        url = res.body.next;
      }
      expect(seen.length).toBeGreaterThanOrEqual(7);
      expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('names each bad parameter in a 400 OperationOutcome', async () => {
      const res = await request(app).get('/admin/messages?status=bogus&count=0').set('Authorization', admin);
      expect(res.status).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue.map((i: { expression: string[] }) => i.expression[0]).sort()).toEqual(['count', 'status']);
    });

    it('shows one message, with its bytes only on request', async () => {
      const list = await request(app).get('/admin/messages?controlId=CTRL-1').set('Authorization', admin);
      const id = list.body.items[0].id as string;
      const plain = await request(app).get(`/admin/messages/${id}`).set('Authorization', admin);
      expect(plain.body).toMatchObject({ id, processState: expect.any(String), ackCode: 'AA' });
      expect(plain.body).not.toHaveProperty('raw');
      const raw = await request(app).get(`/admin/messages/${id}?raw=1`).set('Authorization', admin);
      expect(raw.body.raw).toContain('CTRL-1');
      expect((await request(app).get('/admin/messages/999999999').set('Authorization', admin)).status).toBe(404);
    });

    it('replays a stored message and its duplicate', async () => {
      await worker.drain();
      const list = await request(app).get('/admin/messages?controlId=CTRL-2').set('Authorization', admin);
      const [dup, original] = list.body.items;
      const res = await request(app).post(`/admin/messages/${original.id}/replay`).set('Authorization', admin);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: original.id, status: 'accepted', processState: 'done', reason: null });
      const viaDup = await request(app).post(`/admin/messages/${dup.id}/replay`).set('Authorization', admin);
      expect(viaDup.body).toMatchObject({ id: original.id, requestedId: dup.id, status: 'accepted' });
      const missing = await request(app).post('/admin/messages/424242424/replay').set('Authorization', admin);
      expect(missing.status).toBe(404);
      expect(missing.body.resourceType).toBe('OperationOutcome');
    });

    it('exposes the counters on /metrics', async () => {
      const res = await request(app).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/sinew_messages_total\{type="ADT\^A01",outcome="accepted"\} \d+/);
      expect(res.text).toMatch(/sinew_messages_total\{type="ADT\^A01",outcome="duplicate"\} \d+/);
      expect(res.text).toMatch(/sinew_messages_total\{type="unknown",outcome="rejected"\} \d+/);
      expect(res.text).toContain('sinew_ingest_seconds_bucket');
      expect(res.text).toMatch(/sinew_queue_depth \d+/);
      expect(res.text).toMatch(/sinew_process_total\{type="ADT\^A01",outcome="ok"\} \d+/);
    });
  });

  describe('with auth off', () => {
    it('lets every request through and warns on /readyz', async () => {
      const open = build(database, key, 'off').app;
      expect((await request(open).get('/admin/messages?count=1')).status).toBe(200);
      const ready = await request(open).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.warnings[0]).toMatch(/authentication is off/);
    });
  });

  describe('the /fhir mount point', () => {
    it('is public for metadata only', async () => {
      const fhir = Router();
      fhir.get('/metadata', (_req, res) => void res.json({ resourceType: 'CapabilityStatement' }));
      fhir.get('/Patient', (_req, res) => void res.json({ resourceType: 'Bundle' }));
      const withFhir = build(database, key, 'on', fhir).app;
      expect((await request(withFhir).get('/fhir/metadata')).body.resourceType).toBe('CapabilityStatement');
      expect((await request(withFhir).get('/fhir/Patient')).status).toBe(401);
      expect((await request(withFhir).get('/fhir/Patient').set('Authorization', admin)).status).toBe(200);
    });
  });

  describe('before migrations', () => {
    it('answers /readyz 503', async () => {
      const fresh = await createTestDatabase(engine);
      try {
        const migrator = createMigrator(fresh.db);
        while ((await migrator.getMigrations()).some((m) => m.executedAt)) {
          const { error } = await migrator.migrateDown();
          if (error) throw error;
        }
        const res = await request(build(fresh, key).app).get('/readyz');
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ status: 'not-ready', database: 'ok', schema: 'migrations pending' });
      } finally {
        await fresh.close();
      }
    });
  });
});
