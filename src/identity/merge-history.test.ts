import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Patient } from '@medplum/fhirtypes';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { explainPair } from './explain.js';
import { goldenOf, linkHistory, sourcesOfGoldenAsOf } from './history.js';
import { mergeSources, unmerge } from './merge.js';
import { ANNA, BORIS, patient, testIdentityDeps } from './mpi.fixtures.js';
import { indexSourcePatient } from './patient-index.repository.js';

const deps = testIdentityDeps();
const T0 = new Date('2025-01-01T00:00:00Z');
const T1 = new Date('2025-02-01T00:00:00Z');
const T2 = new Date('2025-03-01T00:00:00Z');
const T3 = new Date('2025-04-01T00:00:00Z');

describe.each(ENGINES)('merges and two-clock history (%s)', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database.close();
  });
  const golden = async (id: string) => (await database.db.selectFrom('mpi_golden').selectAll().where('id', '=', id).executeTakeFirstOrThrow());

  it('merges the subsumed source\'s golden into the survivor\'s, and unmerge rebuilds both', async () => {
    const a = await indexSourcePatient(database.db, patient('m-a', ANNA), { at: T0, recordedAt: T0 }, deps);
    const b = await indexSourcePatient(database.db, patient('m-b', BORIS), { at: T0, recordedAt: T0 }, deps);
    expect(b.goldenId).not.toBe(a.goldenId);
    // An A40 says at T1 that m-b is m-a; Sinew records it only at T2.
    const merged = await mergeSources(database.db, { from: 'm-b', into: 'm-a', by: 'msg:A40-1', at: T1, recordedAt: T2 }, deps);
    expect(merged).toMatchObject({ fromGolden: b.goldenId, intoGolden: a.goldenId, moved: ['m-b'] });
    expect(await goldenOf(database.db, 'm-b')).toBe(a.goldenId);
    const into = (await golden(a.goldenId)).resource as unknown as Patient;
    expect(into.link?.map((l) => l.other.reference)).toEqual(['Patient/m-a', 'Patient/m-b']);
    expect(await golden(b.goldenId)).toMatchObject({ active: false, merged_into: a.goldenId });

    const undone = await unmerge(database.db, merged.mergeId, { by: 'steward:dan', at: T3, recordedAt: T3, survivorship: deps.survivorship });
    expect(undone.moved).toEqual(['m-b']);
    expect(await goldenOf(database.db, 'm-b')).toBe(b.goldenId);
    expect(await golden(b.goldenId)).toMatchObject({ active: true, merged_into: null });
    expect(((await golden(a.goldenId)).resource as unknown as Patient).link).toHaveLength(1);
    await expect(unmerge(database.db, merged.mergeId)).rejects.toThrow(/already undone/);
  });

  it('answers "who was this patient" on both clocks: a merge recorded after T is not used at T', async () => {
    expect(await sourcesOfGoldenAsOf(database.db, 'm-a', new Date('2025-01-15T00:00:00Z'))).toEqual(['m-a']);
    // Valid since T1 but recorded at T2: unknown at T1.5 ...
    const t15 = new Date('2025-02-15T00:00:00Z');
    expect(await sourcesOfGoldenAsOf(database.db, 'm-a', t15)).toEqual(['m-a']);
    // ... known when asked later about T1.5 (valid time T1.5, knowledge at T2.5).
    expect(await sourcesOfGoldenAsOf(database.db, 'm-a', t15, new Date('2025-03-15T00:00:00Z'))).toEqual(['m-a', 'm-b']);
    expect(await sourcesOfGoldenAsOf(database.db, 'm-b', new Date('2025-03-15T00:00:00Z'))).toEqual(['m-a', 'm-b']);
    // Undone at T3: after it, two people again.
    expect(await sourcesOfGoldenAsOf(database.db, 'm-a', new Date('2025-05-01T00:00:00Z'))).toEqual(['m-a']);
    expect(await sourcesOfGoldenAsOf(database.db, 'unknown-id', T3)).toEqual([]);
    expect(await sourcesOfGoldenAsOf(database.db, 'm-a', new Date('2024-06-01T00:00:00Z'))).toEqual([]);
    const history = await linkHistory(database.db, 'm-b');
    expect(history.map((h) => h.rule)).toEqual(expect.arrayContaining(['new', 'merge', 'unmerge']));
    expect(history.every((h) => h.recorded_to === null || h.recorded_to >= h.recorded_from)).toBe(true);
  });

  it('explains a pair and a source against a golden as a waterfall whose parts sum to the weight', async () => {
    const e = await explainPair(database.db, 'm-a', 'm-b', deps);
    expect(e.kinds).toEqual(['source', 'source']);
    expect(e.parts[0]?.comparison).toBe('prior');
    expect(e.parts.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(e.weight, 6);
    expect(e.grade).toBe('no-match');
    await indexSourcePatient(database.db, patient('m-a2', ANNA), { at: T3 }, deps);
    const goldenId = (await goldenOf(database.db, 'm-a')) as string;
    const g = await explainPair(database.db, goldenId, 'm-a2', deps);
    expect(g).toMatchObject({ a: 'm-a2', b: goldenId, kinds: ['source', 'golden'], grade: 'match' });
    expect(g.parts.find((p) => p.comparison === 'birth-date')).toMatchObject({ level: 'exact', source: 'm-a' });
  });
});
