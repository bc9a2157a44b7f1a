import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sql } from 'kysely';
import { REPO_ROOT } from '../../test/support/paths.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { OperationOutcomeError, outcomeToLine } from '../fhir/outcomes.js';
import { queryAsOf } from '../timeline/as-of.query.js';
import { fact, hoursFromIndex, TEST_INDEX } from '../timeline/timeline-test-facts.js';
import { appendTimeline } from '../timeline/timeline.repository.js';
import { alignedBundleFor, type AlignedBundleDeps, type AsOfQueryFn } from './aligned-bundle.service.js';
import { loadSpecRegistry } from './spec.js';

const specs = loadSpecRegistry(path.join(REPO_ROOT, 'profiles/fusion'));
const now = () => new Date(hoursFromIndex(24));

async function outcomeOf(p: Promise<unknown>): Promise<{ line: string; code?: string; expression?: string[] }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OperationOutcomeError);
    const o = (err as OperationOutcomeError).outcome;
    return { line: outcomeToLine(o), code: o.issue?.[0]?.code, expression: o.issue?.[0]?.expression };
  }
  throw new Error('expected an OperationOutcomeError');
}

describe.each(ENGINES)('alignedBundleFor on %s', (engine) => {
  let t: TestDatabase;
  let deps: AlignedBundleDeps;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    deps = { db: t.db, specs, now, resolvePatientRecords: async (id) => (id === 'p1' ? ['p1'] : []), logBundles: true };
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await sql`TRUNCATE timeline_event, bundle_log RESTART IDENTITY CASCADE`.execute(t.db);
  });

  it('golden: one bundle with every status', async () => {
    await appendTimeline(t.db, [
      fact({ resourceId: 'hr', modality: 'vitals', code: '8867-4', clinical: -1, available: -1, value: 88 }),
      fact({ resourceId: 'cr', modality: 'labs', clinical: -3, available: 2, value: 1.9 }),
      { ...fact({ resourceId: 'rx', clinical: -5, available: -5 }), modality: 'medications', resourceType: 'MedicationRequest' },
    ]);
    const failing: AsOfQueryFn = async (db, q) => {
      if (q.windows.some((w) => w.modality === 'medications')) throw new Error('pharmacy source unavailable');
      return queryAsOf(db, q);
    };
    const b = await alignedBundleFor({ ...deps, query: failing }, { patientId: 'p1', indexTime: TEST_INDEX, notAuthorized: { notes: 'the token may not read DocumentReference' } });
    expect(Object.fromEntries(b.modalities.map((m) => [m.name, m.status]))).toEqual({ labs: 'pending', vitals: 'present', imaging: 'absent', notes: 'not-authorized', medications: 'error', problems: 'absent' });
    expect(b.modalities.find((m) => m.name === 'medications')?.reason).toBe('source failed: pharmacy source unavailable');
    expect(b.items.map((e) => e.resourceId)).toEqual(['hr']);
    expect(b.leakageSafe).toBe(true);
    const stale = await alignedBundleFor(deps, { patientId: 'p1', indexTime: hoursFromIndex(14), modalities: ['vitals'] });
    expect(stale.modalities.map((m) => m.status)).toEqual(['stale']);
    const log = await t.db.selectFrom('bundle_log').select(['bundle_id', 'modalities']).orderBy('id').execute();
    expect(log).toHaveLength(2);
    expect(log[0]?.modalities.find((m) => m.name === 'vitals')).toEqual({ name: 'vitals', status: 'present', count: 1, ageSeconds: 3600 });
  });

  it('the same inputs give the same bundle id; a later as-of is marked not leakage-safe', async () => {
    await appendTimeline(t.db, [fact({ resourceId: 'cr', clinical: -3, available: 2, value: 1.9 })]);
    const a = await alignedBundleFor(deps, { patientId: 'p1', indexTime: TEST_INDEX });
    const b = await alignedBundleFor(deps, { patientId: 'p1', indexTime: '2024-03-10T13:00:00+01:00' });
    expect(b.id).toBe(a.id);
    const later = await alignedBundleFor(deps, { patientId: 'p1', indexTime: TEST_INDEX, asOf: hoursFromIndex(3) });
    expect(later.leakageSafe).toBe(false);
    expect(later.modalities.find((m) => m.name === 'labs')?.status).toBe('present');
  });

  it('bad parameters: every problem named, each with its parameter', async () => {
    expect(await outcomeOf(alignedBundleFor(deps, { patientId: 'p1', indexTime: hoursFromIndex(48) }))).toMatchObject({ code: 'invalid', expression: ['index-time'] });
    const many = await outcomeOf(alignedBundleFor(deps, { patientId: 'p1', indexTime: 'yesterday', spec: 'nope', modalities: ['ecg'] }));
    expect(many.line).toContain('index-time "yesterday" is not a date-time');
    expect(many.line).toContain('unknown fusion spec "nope"; known specs: aki, default');
    expect(many.line).toContain('unknown modality "ecg"');
    expect(await outcomeOf(alignedBundleFor(deps, { patientId: 'p1', indexTime: TEST_INDEX, spec: 'aki', modalities: ['vitals'] }))).toMatchObject({ expression: ['modality'] });
    expect(await outcomeOf(alignedBundleFor(deps, { patientId: 'nobody', indexTime: TEST_INDEX }))).toMatchObject({ code: 'not-found' });
  });

  it('PROPERTY: a merge recorded after as-of pulls in none of the other record\'s facts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ p: fc.constantFrom('p1', 'p2'), c: fc.integer({ min: -70, max: 0 }), lag: fc.integer({ min: 0, max: 10 }) }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: -40, max: 0 }),
        fc.integer({ min: 1, max: 30 }),
        async (seeds, asOfH, mergeDelay) => {
          await sql`TRUNCATE timeline_event RESTART IDENTITY CASCADE`.execute(t.db);
          await appendTimeline(t.db, seeds.map((s, i) => fact({ resourceId: `o${i}`, patient: s.p, clinical: s.c, available: s.c + s.lag, value: i })));
          const mergeAt = Date.parse(hoursFromIndex(asOfH + mergeDelay));
          // The identity layer: p1 and p2 are one person only from mergeAt on.
          const resolvePatientRecords = async (_id: string, asOf: Date) => (asOf.getTime() >= mergeAt ? ['p1', 'p2'] : ['p1']);
          const b = await alignedBundleFor({ ...deps, logBundles: false, resolvePatientRecords }, { patientId: 'p1', indexTime: TEST_INDEX, asOf: hoursFromIndex(asOfH) });
          expect(b.items.filter((e) => e.patientRecord !== 'p1')).toEqual([]);
        },
      ),
      { numRuns: 20 },
    );
  });
});
