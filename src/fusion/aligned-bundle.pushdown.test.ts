import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sql } from 'kysely';
import { REPO_ROOT } from '../../test/support/paths.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { queryAsOf } from '../timeline/as-of.query.js';
import type { NewTimelineEvent } from '../timeline/new-timeline-event.js';
import { fact, hoursFromIndex, TEST_INDEX } from '../timeline/timeline-test-facts.js';
import { appendTimeline } from '../timeline/timeline.repository.js';
import { alignedBundleFor, type AlignedBundleDeps, type AsOfQueryFn } from './aligned-bundle.service.js';
import { loadSpecRegistry } from './spec.js';

const specs = loadSpecRegistry(path.join(REPO_ROOT, 'profiles/fusion'));

/** The as-of query without the spec's selector and latest-per-code pushed into SQL: the reference. */
const unfiltered: AsOfQueryFn = (db, q) => queryAsOf(db, { ...q, windows: q.windows.map((w) => ({ modality: w.modality, ...(w.from ? { from: w.from } : {}), to: w.to })) });

/**
 * Random histories for the latest-per-code modalities (vitals, problems, medications) with few
 * codes, equal clock readings, corrections, retractions, statuses outside the spec's selector,
 * uncoded facts and other resource types, so that ties and filters are exercised.
 */
const factsArb = fc
  .array(
    fc.record({
      modality: fc.constantFrom('vitals' as const, 'problems' as const, 'medications' as const),
      resourceType: fc.constantFrom('Observation', 'Condition', 'MedicationRequest', 'DiagnosticReport'),
      code: fc.constantFrom('a', 'b', undefined),
      clinical: fc.constantFrom(-400, -30, -20, -5, -5, -1, 0),
      end: fc.option(fc.constantFrom(-25, -3, 2), { nil: undefined }),
      lags: fc.array(fc.constantFrom(0, 0, 1, 4), { minLength: 1, maxLength: 3 }),
      status: fc.constantFrom('final', 'active', 'resolved', 'entered-in-error'),
      category: fc.constantFrom('vital-signs', 'laboratory', undefined),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((rs) =>
    rs.flatMap((r, i) => {
      let available = r.clinical;
      return r.lags.map((lag, v): NewTimelineEvent => {
        available += lag;
        const base = fact({ resourceId: `r${i}`, version: v + 1, modality: r.modality, clinical: r.clinical, available, value: i, status: v === r.lags.length - 1 ? r.status : 'final' });
        const { code: _code, category: _category, ...rest } = base;
        return {
          ...rest,
          resourceType: r.resourceType,
          ...(r.code ? { code: { system: 'http://example.org', code: r.code } } : {}),
          ...(r.category ? { category: r.category } : {}),
          ...(r.end !== undefined && r.end >= r.clinical ? { clinicalEnd: hoursFromIndex(r.end) } : {}),
        };
      });
    }),
  );

describe.each(ENGINES)('selection pushed into the as-of query on %s', (engine) => {
  let t: TestDatabase;
  let deps: AlignedBundleDeps;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    deps = { db: t.db, specs, now: () => new Date(hoursFromIndex(24)), resolvePatientRecords: async () => ['p1'] };
  });
  afterAll(async () => {
    await t.close();
  });

  it('PROPERTY: the bundle equals the one built from every fact in the windows', async () => {
    await fc.assert(
      fc.asyncProperty(factsArb, fc.constantFrom(-6, -1, 0, 3), async (facts, asOfH) => {
        await sql`TRUNCATE timeline_event RESTART IDENTITY CASCADE`.execute(t.db);
        await appendTimeline(t.db, facts);
        const params = { patientId: 'p1', indexTime: TEST_INDEX, asOf: hoursFromIndex(asOfH) };
        const pushed = await alignedBundleFor(deps, params);
        const reference = await alignedBundleFor({ ...deps, query: unfiltered }, params);
        expect(pushed).toEqual(reference);
      }),
      { numRuns: engine === 'pglite' ? 40 : 80 },
    );
  });

  it('keeps one row per problem code out of a long history', async () => {
    await sql`TRUNCATE timeline_event RESTART IDENTITY CASCADE`.execute(t.db);
    const problems = Array.from({ length: 60 }, (_, i) => ({ ...fact({ resourceId: `c${i}`, modality: 'problems', code: `p${i % 3}`, clinical: -1000 + i, available: -1000 + i, status: 'active' }), resourceType: 'Condition' }));
    await appendTimeline(t.db, problems);
    const windows = [{ modality: 'problems' as const, to: new Date(TEST_INDEX), select: { resourceTypes: ['Condition'] }, latestPerCode: true }];
    const r = await queryAsOf(t.db, { patientRecords: ['p1'], asOf: new Date(TEST_INDEX), windows });
    expect(r.events.map((e) => e.resourceId).sort()).toEqual(['c57', 'c58', 'c59']);
  });
});
