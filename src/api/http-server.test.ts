import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { loadOrCreateSigningKey, databaseSigningKeyStore } from '../auth/signing-key.js';
import { mintToken } from '../auth/tokens.js';
import { testConfig } from '../config/load-config.js';
import { createClassifier } from '../ingest/classify.js';
import { HandlerRegistry } from '../ingest/handler-registry.js';
import { createIntake } from '../ingest/intake.js';
import { saveMessages } from '../ingest/message-store.repository.js';
import { MessageWorker } from '../ingest/message-worker.js';
import { structureOnlyHandler } from '../ingest/structure-handler.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { createHttpServer, type HttpServer } from './http-server.js';

describe('createHttpServer', () => {
  let database: TestDatabase;
  let http: HttpServer;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    const db = database.db;
    const registry = new HandlerRegistry().register(structureOnlyHandler());
    const classifier = createClassifier(registry.supports.bind(registry));
    const logger = pino({ level: 'silent' });
    http = await createHttpServer({
      config: testConfig({ auth: 'on', mllpMaxMessageBytes: 1024 }),
      database,
      classifier,
      intake: createIntake({ classifier, save: (m) => saveMessages(db, m) }),
      worker: new MessageWorker(db, registry, logger),
      logger,
    });
    const { host, port } = await http.listen('127.0.0.1', 0);
    base = `http://${host}:${port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => http?.server.close(resolve));
    await database?.close();
  });

  it('listens on a free port with the key kept in the in-memory database', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const stored = await loadOrCreateSigningKey(databaseSigningKeyStore(database.db));
    expect(stored.kid).toBe(http.signingKey.kid);
  });

  it('answers a body over the maximum with 413 and stores nothing', async () => {
    const token = await mintToken(http.signingKey, { ttlSeconds: 60 });
    const res = await fetch(`${base}/hl7v2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: `MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\r${'X'.repeat(2000)}`,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'too-long' }] });
    const n = await database.db.selectFrom('hl7_message').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    expect(Number(n?.n)).toBe(0);
  });
});
