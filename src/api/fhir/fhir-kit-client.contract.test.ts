import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, CapabilityStatement, Patient } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import { pino } from 'pino';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { generateSigningKey } from '../../auth/signing-key.js';
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

/** The API as a SMART backend app sees it: a real socket, a bearer token, fhir-kit-client 2.0.3. */
describe.each(ENGINES)('fhir-kit-client against /fhir on %s', (engine) => {
  let database: TestDatabase;
  let server: Server;
  let client: Client;
  let baseUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const db = database.db;
    const key = await generateSigningKey();
    const registry = new HandlerRegistry();
    const classifier = createClassifier(registry.supports.bind(registry));
    const app = createHttpApp({
      db,
      config: testConfig({ auth: 'on' }),
      intake: createIntake({ classifier, save: (m) => saveMessages(db, m) }),
      worker: new MessageWorker(db, registry, silent),
      classifier,
      signingKey: key,
      metrics: createMetrics({ db, processMetrics: false }),
      logger: silent,
      fhirRouter: createFhirRouter({ db, operationDefinitionsDir: PROFILES }),
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
    client = new Client({ baseUrl, bearerToken: await mintToken(key, { scope: 'system/*.cruds', ttlSeconds: 300 }) });
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await database?.close();
  });

  it('reads the CapabilityStatement', async () => {
    const cs = (await client.capabilityStatement()) as unknown as CapabilityStatement;
    expect(cs.fhirVersion).toBe('4.0.1');
  });

  it('posts a transaction, reads back, and pages through a search', async () => {
    const entry = Array.from({ length: 5 }, (_, i) => ({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`,
      resource: { resourceType: 'Patient', identifier: [{ system: 'urn:kit', value: `K${i}` }], name: [{ family: 'Kitson', given: [`N${i}`] }], gender: 'female' },
      request: { method: 'POST', url: 'Patient' },
    }));
    const response = (await client.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry } as never })) as unknown as Bundle;
    expect(response.type).toBe('transaction-response');
    const id = response.entry?.[2]?.resource?.id as string;

    const read = (await client.read({ resourceType: 'Patient', id })) as unknown as Patient;
    expect(read.identifier?.[0]?.value).toBe('K2');

    const found = (await client.search({ resourceType: 'Patient', searchParams: { identifier: 'urn:kit|K3' } })) as unknown as Bundle;
    expect(found.total).toBe(1);

    const ids: string[] = [];
    let page = (await client.search({ resourceType: 'Patient', searchParams: { family: 'kitson', _count: 2 } })) as unknown as Bundle | undefined;
    expect(page?.total).toBe(5);
    while (page) {
      ids.push(...(page.entry ?? []).map((e) => e.resource?.id as string));
      page = (await client.nextPage({ bundle: page as never })) as unknown as Bundle | undefined;
    }
    expect(new Set(ids).size).toBe(5);
  });

  it('gets an OperationOutcome for a missing resource', async () => {
    const err = (await client.read({ resourceType: 'Patient', id: 'missing' }).catch((e: unknown) => e)) as { response?: { status: number; data: unknown } };
    expect(err.response?.status).toBe(404);
    expect(err.response?.data).toMatchObject({ resourceType: 'OperationOutcome' });
  });
});
