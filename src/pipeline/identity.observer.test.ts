import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Patient } from '@medplum/fhirtypes';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { currentLinkOf } from '../identity/link-store.js';
import { ANNA, BORIS, patient, testIdentityDeps } from '../identity/mpi.fixtures.js';
import { identityObserver } from './identity.observer.js';
import type { StoredResourceEvent } from './resource-observer.js';

const deps = testIdentityDeps();
const AT = new Date('2025-01-01T00:00:00Z');

describe.each(ENGINES)('identity observer (%s)', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  }, 180_000);
  afterAll(async () => {
    await database.close();
  });
  const observer = identityObserver(deps);
  const stored = (resource: Patient, messageId: string): StoredResourceEvent => ({
    trx: database.db,
    resource,
    versionId: '1',
    changed: true,
    source: { kind: 'hl7v2', messageId, receivedAt: AT, backfill: false, trigger: 'A40' },
  });
  const retired = (id: string, survivor: string, person = ANNA): Patient => ({ ...patient(id, person), link: [{ type: 'replaced-by', other: { reference: `Patient/${survivor}` } }] });

  it('an A40 for two records the index had already linked confirms the link as a person\'s decision', async () => {
    await observer.onStored(stored(patient('dup-a', ANNA), '1'));
    await observer.onStored(stored(patient('dup-b', ANNA), '2'));
    const before = await currentLinkOf(database.db, 'dup-b');
    expect(before?.golden_id).toBe((await currentLinkOf(database.db, 'dup-a'))?.golden_id);
    expect(before?.how).not.toBe('MANUAL');

    await expect(observer.onStored(stored(retired('dup-b', 'dup-a'), '3'))).resolves.toBeUndefined();
    const after = await currentLinkOf(database.db, 'dup-b');
    expect(after).toMatchObject({ golden_id: before?.golden_id, state: 'MATCH', how: 'MANUAL', by: 'hl7v2:3' });
  });

  it('an A40 for two records on different goldens merges them', async () => {
    await observer.onStored(stored(patient('m-a', ANNA), '4'));
    await observer.onStored(stored(patient('m-b', BORIS), '5'));
    expect((await currentLinkOf(database.db, 'm-b'))?.golden_id).not.toBe((await currentLinkOf(database.db, 'm-a'))?.golden_id);
    await observer.onStored(stored(retired('m-b', 'm-a', BORIS), '6'));
    expect((await currentLinkOf(database.db, 'm-b'))?.golden_id).toBe((await currentLinkOf(database.db, 'm-a'))?.golden_id);
  });
});
