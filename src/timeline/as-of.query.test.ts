import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sql } from 'kysely';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { queryAsOf, type AsOfWindow } from './as-of.query.js';
import type { NewTimelineEvent } from './new-timeline-event.js';
import { fact, hoursFromIndex } from './timeline-test-facts.js';
import { appendTimeline, timelineHistory } from './timeline.repository.js';
import type { TimelineEvent } from './timeline-event.js';

const WINDOWS: AsOfWindow[] = [
  { modality: 'labs', from: new Date(hoursFromIndex(-72)), to: new Date(hoursFromIndex(0)) },
  { modality: 'vitals', from: new Date(hoursFromIndex(-24)), to: new Date(hoursFromIndex(0)) },
];

/** Random facts: each resource has 1–3 versions arriving later and later; the last may retract it. */
const factsArb = fc
  .array(
    fc.record({
      patient: fc.constantFrom('p1', 'p2'),
      modality: fc.constantFrom('labs' as const, 'vitals' as const),
      clinical: fc.integer({ min: -90, max: 0 }),
      lags: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 3 }),
      retract: fc.boolean(),
      values: fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 3, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((rs) =>
    rs.flatMap((r, i) => {
      let available = r.clinical;
      return r.lags.map((lag, v) => {
        available += lag;
        const last = v === r.lags.length - 1;
        return fact({ resourceId: `o${i}`, version: v + 1, patient: r.patient, modality: r.modality, clinical: r.clinical + (v === 2 ? 1 : 0), available, value: r.values[v] as number, status: last && r.retract && v > 0 ? 'entered-in-error' : v > 0 ? 'corrected' : 'final' });
      });
    }),
  );

/** The oracle: the newest version available at as-of, withdrawn facts dropped, clinical time in window. */
function expected(facts: readonly NewTimelineEvent[], records: string[], asOf: Date): string[] {
  const latest = new Map<string, NewTimelineEvent>();
  for (const f of facts) {
    if (!records.includes(f.patientRecord) || Date.parse(f.availableAt) > asOf.getTime()) continue;
    const prev = latest.get(f.resourceId);
    if (!prev || Number(f.versionId) > Number(prev.versionId)) latest.set(f.resourceId, f);
  }
  return [...latest.values()]
    .filter((f) => f.status !== 'entered-in-error')
    .filter((f) => WINDOWS.some((w) => w.modality === f.modality && Date.parse(f.clinicalStart) >= (w.from as Date).getTime() && Date.parse(f.clinicalStart) <= w.to.getTime()))
    .map((f) => `${f.resourceId}/${f.versionId}=${String(f.value)}`)
    .sort();
}
const keys = (events: TimelineEvent[]): string[] => events.map((e) => `${e.resourceId}/${e.versionId}=${String(e.value)}`).sort();

describe.each(ENGINES)('as-of query on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await t.close();
  });
  const reset = () => sql`TRUNCATE timeline_event RESTART IDENTITY CASCADE`.execute(t.db);
  beforeEach(reset);

  it('returns the version valid at as-of, hides later data, reports pending facts without values', async () => {
    await appendTimeline(t.db, [
      fact({ resourceId: 'cr', clinical: -10, available: -8, value: 100 }),
      fact({ resourceId: 'cr', version: 2, clinical: -10, available: -2, value: 110, status: 'corrected' }),
      fact({ resourceId: 'late', clinical: -3, available: 4, value: 5 }),
      fact({ resourceId: 'gone', clinical: -5, available: -4, value: 7 }),
      fact({ resourceId: 'gone', version: 2, clinical: -5, available: -1, value: 7, status: 'entered-in-error' }),
    ]);
    const at = (h: number) => queryAsOf(t.db, { patientRecords: ['p1'], asOf: new Date(hoursFromIndex(h)), windows: WINDOWS });
    expect(keys((await at(-5)).events)).toEqual(['cr/1=100']);
    expect(keys((await at(-3)).events)).toEqual(['cr/1=100', 'gone/1=7']);
    const now = await at(0);
    expect(keys(now.events)).toEqual(['cr/2=110']);
    expect(now.pending).toEqual([{ modality: 'labs', resourceType: 'Observation', code: { system: 'http://loinc.org', code: '2160-0' }, category: 'laboratory', clinicalStart: hoursFromIndex(-3) }]);
    expect(keys((await at(5)).events)).toEqual(['cr/2=110', 'late/1=5']);
  });

  it('links versions and closes the superseded one, even when the older version arrives last', async () => {
    await appendTimeline(t.db, [fact({ resourceId: 'x', version: 2, clinical: -10, available: -2, value: 2 })]);
    await appendTimeline(t.db, [fact({ resourceId: 'x', version: 1, clinical: -10, available: -6, value: 1 })]);
    await appendTimeline(t.db, [fact({ resourceId: 'x', version: 3, clinical: -10, available: -1, value: 3 })]);
    const h = await timelineHistory(t.db, 'Observation', 'x');
    expect(h.map((e) => e.versionId)).toEqual(['1', '2', '3']);
    expect(h[2]?.supersedes).toBe(h[1]?.id);
    const rows = await t.db.selectFrom('timeline_event').select(['version_id', 'superseded_at']).orderBy('version_id').execute();
    expect(rows.map((r) => r.superseded_at?.toISOString() ?? null)).toEqual([hoursFromIndex(-2), hoursFromIndex(-1), null]);
  });

  it('a redelivered version is skipped, not duplicated', async () => {
    const f = fact({ resourceId: 'd', clinical: -1, available: -1, value: 1 });
    expect(await appendTimeline(t.db, [f])).toEqual({ inserted: 1, skipped: 0 });
    expect(await appendTimeline(t.db, [f])).toEqual({ inserted: 0, skipped: 1 });
  });

  it('an interval fact that began before the window counts when it runs into it', async () => {
    await appendTimeline(t.db, [{ ...fact({ resourceId: 'course', modality: 'labs', clinical: -100, available: -100 }), clinicalEnd: hoursFromIndex(-50) }]);
    const r = await queryAsOf(t.db, { patientRecords: ['p1'], asOf: new Date(hoursFromIndex(0)), windows: WINDOWS });
    expect(r.events.map((e) => e.resourceId)).toEqual(['course']);
  });

  it('PROPERTY: in any arrival order, the answer is the oracle and never holds anything available after as-of', async () => {
    await fc.assert(
      fc.asyncProperty(factsArb, fc.integer({ min: -60, max: 20 }), fc.infiniteStream(fc.nat()), async (facts, asOfH, seeds) => {
        await reset();
        const order = facts.map((f) => ({ f, k: seeds.next().value })).sort((a, b) => a.k - b.k).map((x) => x.f);
        for (let i = 0; i < order.length; i += 3) await appendTimeline(t.db, order.slice(i, i + 3));
        const asOf = new Date(hoursFromIndex(asOfH));
        const r = await queryAsOf(t.db, { patientRecords: ['p1'], asOf, windows: WINDOWS });
        expect(r.events.every((e) => Date.parse(e.availableAt) <= asOf.getTime())).toBe(true);
        expect(keys(r.events)).toEqual(expected(facts, ['p1'], asOf));
      }),
      { numRuns: engine === 'pglite' ? 25 : 40 },
    );
  });

  it('PROPERTY: data arriving after as-of (new facts, corrections, retractions) does not change the answer', async () => {
    await fc.assert(
      fc.asyncProperty(factsArb, fc.integer({ min: -60, max: 0 }), async (facts, asOfH) => {
        await reset();
        const asOf = new Date(hoursFromIndex(asOfH));
        const known = facts.filter((f) => Date.parse(f.availableAt) <= asOf.getTime());
        const later = facts.filter((f) => Date.parse(f.availableAt) > asOf.getTime());
        await appendTimeline(t.db, known);
        const q = { patientRecords: ['p1', 'p2'], asOf, windows: WINDOWS };
        const before = keys((await queryAsOf(t.db, q)).events);
        await appendTimeline(t.db, [...later].reverse());
        expect(keys((await queryAsOf(t.db, q)).events)).toEqual(before);
      }),
      { numRuns: engine === 'pglite' ? 25 : 40 },
    );
  });
});
