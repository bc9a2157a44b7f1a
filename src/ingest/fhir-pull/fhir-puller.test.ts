import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Observation, Patient } from '@medplum/fhirtypes';
import { pino } from 'pino';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { createApp, type App } from '../../app.js';
import { testConfig } from '../../config/load-config.js';
import { putResource } from '../../fhir/resource.repository.js';
import { loadIdentityDeps } from '../../identity/identity-deps.js';
import { createFhirIngest, type FhirIngest } from '../../pipeline/fhir-ingest.js';
import { createObservers } from '../../pipeline/observers.js';
import { runPull } from './fhir-puller.js';
import { readPullCursor } from './pull-cursor.repository.js';
import { createUpstreamClient } from './upstream-client.js';

const silent = pino({ level: 'silent' });
const patient = (n: number): Patient => ({
  resourceType: 'Patient',
  id: `up-${n}`,
  identifier: [{ system: 'urn:oid:1.2.3.77', value: `U${n}` }],
  name: [{ family: `Upstream${n}`, given: ['Kim'] }],
  gender: 'male',
  birthDate: '1950-01-01',
});
const observation = (n: number): Observation => ({
  resourceType: 'Observation',
  id: `up-obs-${n}`,
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: 'Patient/up-1' },
  effectiveDateTime: '2020-05-01T10:00:00Z',
  issued: '2020-05-01T10:05:00Z',
  valueQuantity: { value: 60 + n, unit: '/min' },
});

/**
 * A real upstream: a second Sinew (createApp, auth off) serving its FHIR API on a loopback port,
 * read with fhir-kit-client; resources are written into it with distinct lastUpdated instants.
 */
describe.each(ENGINES)('sinew pull against a real upstream on %s', (engine) => {
  let upstream: App;
  let upstreamDb: TestDatabase | undefined;
  let from: string;
  let database: TestDatabase;
  let ingest: FhirIngest;
  let clock = Date.parse('2026-03-01T00:00:00Z');
  const seed = async (...resources: (Patient | Observation)[]) => {
    for (const r of resources) await putResource(upstream.core.database.db, r, { source: { kind: 'fhir-api' }, at: new Date((clock += 1000)) });
  };
  const pull = (extra: { signal?: AbortSignal; onPage?: () => void; since?: string } = {}) =>
    runPull(
      { db: database.db, ingest, client: createUpstreamClient(from), ...(extra.signal ? { signal: extra.signal } : {}), ...(extra.onPage ? { onPage: extra.onPage } : {}) },
      { from, types: ['Patient', 'Observation'], pageSize: 2, ...(extra.since ? { since: extra.since } : {}) },
    );

  beforeAll(async () => {
    if (engine === 'postgres') upstreamDb = await createTestDatabase('postgres');
    upstream = await createApp(testConfig({ auth: 'off', mllpPort: 'off', ...(upstreamDb?.url ? { databaseUrl: upstreamDb.url } : {}) }), silent);
    const listening = await upstream.start();
    from = `http://127.0.0.1:${listening.http.port}/fhir`;
    database = await createTestDatabase(engine);
    ingest = createFhirIngest({ db: database.db, observers: createObservers({ identity: loadIdentityDeps() }) });
  }, 120_000);
  afterAll(async () => {
    await upstream?.stop();
    await upstreamDb?.close();
    await database?.close();
  });

  it('reads every page, then only what changed upstream since', async () => {
    await seed(patient(1), patient(2), patient(3), patient(4), patient(5), observation(1), observation(2));
    const first = await pull();
    expect(first).toEqual([
      { type: 'Patient', pages: 3, accepted: 5, duplicate: 0, error: 0, rejected: 0, sorted: true },
      { type: 'Observation', pages: 1, accepted: 2, duplicate: 0, error: 0, rejected: 0, sorted: true },
    ]);
    expect(await readPullCursor(database.db, from, 'Patient')).toEqual({ since: new Date(clock - 2000).toISOString(), inclusive: false });
    const link = await database.db.selectFrom('mpi_link').select('golden_id').where('source_id', '=', 'up-3').executeTakeFirst();
    expect(link?.golden_id).toBeTruthy();
    const rule = await database.db.selectFrom('timeline_event').select(['available_rule', 'available_at']).where('resource_id', '=', 'up-obs-1').executeTakeFirstOrThrow();
    expect(rule.available_rule).toBe('backfill');
    expect(new Date(rule.available_at).toISOString()).toBe('2020-05-01T10:05:00.000Z');

    await seed(patient(6), { ...patient(2), gender: 'female' });
    const second = await pull();
    expect(second.map((s) => [s.type, s.accepted, s.duplicate])).toEqual([
      ['Patient', 2, 0],
      ['Observation', 0, 0],
    ]);
  });

  it('an interrupted pull resumes from the stored cursor, re-reading only the boundary instant', async () => {
    await seed(patient(7), patient(8), patient(9));
    const stop = new AbortController();
    const cut = await pull({ signal: stop.signal, onPage: () => stop.abort() });
    expect(cut).toEqual([{ type: 'Patient', pages: 1, accepted: 2, duplicate: 0, error: 0, rejected: 0, sorted: true }]);
    expect(await readPullCursor(database.db, from, 'Patient')).toMatchObject({ inclusive: true });
    const resumed = await pull();
    expect(resumed.map((s) => [s.type, s.accepted, s.duplicate])).toEqual([
      ['Patient', 1, 1],
      ['Observation', 0, 0],
    ]);
    expect(await readPullCursor(database.db, from, 'Patient')).toMatchObject({ inclusive: false });
  });

  it('--since overrides the cursor: everything after it again, stored once (duplicates)', async () => {
    const again = await pull({ since: '2026-01-01T00:00:00Z' });
    expect(again[0]).toMatchObject({ type: 'Patient', accepted: 0, duplicate: 9 });
    expect(again[1]).toMatchObject({ type: 'Observation', accepted: 0, duplicate: 2 });
  });
});
