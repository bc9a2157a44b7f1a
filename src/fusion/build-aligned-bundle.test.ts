import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
fc.configureGlobal({ numRuns: Number(process.env.FC_RUNS ?? 100) });
import { OperationOutcomeError } from '../fhir/outcomes.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import type { TimelineEvent } from '../timeline/timeline-event.js';
import { buildAlignedBundle } from './build-aligned-bundle.js';
import { loadSpec } from './spec.js';
import { INDEX_TIME, at, makeEvent } from '../../test/support/event-fixtures.js';

const spec = loadSpec('default', path.join(REPO_ROOT, 'profiles/fusion'));
const build = (events: TimelineEvent[], extra: Partial<Parameters<typeof buildAlignedBundle>[0]> = {}) =>
  buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec, events, ...extra });
const status = (b: ReturnType<typeof build>, m: string) => b.modalities.find((x) => x.name === m);

describe('buildAlignedBundle: one golden case per status', () => {
  it('present: a creatinine 2 h before T, available 1 h before', () => {
    const b = build([makeEvent({ id: 'e1', code: '2160-0', value: 1.1, clinicalHours: -2, availableHours: -1 })]);
    expect(status(b, 'labs')).toMatchObject({
      status: 'present',
      count: 1,
      windowStart: at(-72),
      windowEnd: INDEX_TIME,
      newestAvailableAt: at(-1),
      items: [{ eventId: 'e1', ageSeconds: 7200, clinicalTime: at(-2), availableAt: at(-1) }],
      series: [{ code: { code: '2160-0' }, points: [{ value: 1.1, ageSeconds: 7200 }] }],
    });
    expect(b.items.map((e) => e.id)).toEqual(['e1']);
  });

  it('absent: nothing in the window (an older lab is outside the 72 h lookback)', () => {
    const b = build([makeEvent({ id: 'old', clinicalHours: -73 })]);
    expect(status(b, 'labs')).toMatchObject({ status: 'absent', count: 0, items: [] });
    expect(b.items).toEqual([]);
  });

  it('stale: the newest vital sign is older than the 12 h maxAge', () => {
    const b = build([makeEvent({ id: 'v', modality: 'vitals', code: '8867-4', value: 80, clinicalHours: -13 })]);
    expect(status(b, 'vitals')).toMatchObject({ status: 'stale', count: 1, reason: expect.stringContaining('13 h old, over maxAge PT12H') });
  });

  it('pending: collected at 08:00, resulted at 14:00, asked at 12:00', () => {
    const late = makeEvent({ id: 'late', code: '2160-0', value: 3, clinicalHours: -4, availableHours: 2 });
    const b = build([late], { pendingEvents: [{ modality: 'labs', resourceType: 'Observation', code: late.code, clinicalStart: late.clinicalStart }] });
    expect(status(b, 'labs')).toMatchObject({ status: 'pending', count: 0, pendingCount: 1 });
    expect(b.items).toEqual([]);
  });

  it('present with a pending count when something else is pending', () => {
    const b = build([makeEvent({ id: 'e', clinicalHours: -5 })], { pendingEvents: [{ modality: 'labs', resourceType: 'Observation', clinicalStart: at(-1) }] });
    expect(status(b, 'labs')).toMatchObject({ status: 'present', pendingCount: 1, reason: expect.stringContaining('1 pending') });
  });

  it('not-authorized: items are dropped and the modality is never reported absent', () => {
    const b = build([makeEvent({ id: 'n', modality: 'notes', resourceType: 'DocumentReference', clinicalHours: -3 })], { notAuthorized: { notes: 'scope patient/DocumentReference.rs not granted' } });
    expect(status(b, 'notes')).toMatchObject({ status: 'not-authorized', items: [], reason: expect.stringContaining('DocumentReference') });
    expect(b.items).toEqual([]);
  });

  it('error: a failed source is reported, not silently absent', () => {
    const b = build([], { errors: { imaging: 'PACS timed out' } });
    expect(status(b, 'imaging')).toMatchObject({ status: 'error', reason: 'source failed: PACS timed out' });
  });
});

describe('buildAlignedBundle: rules', () => {
  it('never includes a row available after as-of, even when the query passes one', () => {
    const b = build([makeEvent({ id: 'future', clinicalHours: -1, availableHours: 0.01 })]);
    expect(b.items).toEqual([]);
    expect(status(b, 'labs')?.status).toBe('absent');
  });

  it('a later as-of sees the late result and is flagged not leakage-safe', () => {
    const e = makeEvent({ id: 'late', clinicalHours: -4, availableHours: 2 });
    const b = build([e], { asOf: at(3) });
    expect(b).toMatchObject({ leakageSafe: false, asOf: at(3), items: [e] });
    expect(build([e]).leakageSafe).toBe(true);
  });

  it('uses the version valid at as-of: a correction after as-of changes nothing', () => {
    const v1 = makeEvent({ id: 'v1', resourceId: 'obs', value: 1, clinicalHours: -5, availableHours: -4 });
    const v2 = makeEvent({ id: 'v2', resourceId: 'obs', versionId: '2', value: 2, clinicalHours: -5, availableHours: 5, supersedes: 'v1' });
    expect(build([v1, v2]).items).toEqual([v1]);
    expect(build([v1, v2], { asOf: at(6) }).items).toEqual([v2]);
    const retracted = { ...v2, id: 'v3', status: 'entered-in-error', availableAt: at(-1) };
    expect(build([v1, retracted]).items).toEqual([]);
  });

  it('latest-per-code keeps the newest value of each vital sign', () => {
    const b = build([
      makeEvent({ id: 'hr1', modality: 'vitals', code: '8867-4', value: 80, clinicalHours: -3 }),
      makeEvent({ id: 'hr2', modality: 'vitals', code: '8867-4', value: 95, clinicalHours: -1 }),
      makeEvent({ id: 'rr', modality: 'vitals', code: '9279-1', value: 18, clinicalHours: -2 }),
    ]);
    expect(status(b, 'vitals')?.items.map((i) => i.eventId)).toEqual(['hr2', 'rr']);
  });

  it('problems: all history, active only; selector drops other resource types', () => {
    const b = build([
      makeEvent({ id: 'dm', modality: 'problems', resourceType: 'Condition', code: '44054006', status: 'active', clinicalHours: -24 * 3650 }),
      makeEvent({ id: 'old', modality: 'problems', resourceType: 'Condition', code: '1', status: 'resolved', clinicalHours: -24 }),
      makeEvent({ id: 'obs', modality: 'problems', resourceType: 'Observation', clinicalHours: -1 }),
    ]);
    expect(status(b, 'problems')).toMatchObject({ status: 'present', items: [{ eventId: 'dm' }] });
    expect(status(b, 'problems')?.windowStart).toBeUndefined();
  });

  it('restricts to the requested modalities and rejects ones the spec lacks', () => {
    expect(build([], { modalities: ['vitals'] }).modalities.map((m) => m.name)).toEqual(['vitals']);
    const aki = loadSpec('aki', path.join(REPO_ROOT, 'profiles/fusion'));
    expect(() => buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec: aki, events: [], modalities: ['notes'] })).toThrow(/modality "notes" is not in spec aki@1.0.0/);
  });

  it('rejects an invalid index time with an OperationOutcome', () => {
    expect(() => build([], { indexTime: 'tomorrow' })).toThrow(OperationOutcomeError);
  });

  it('normalizes equal instants so they hash the same', () => {
    const e = [makeEvent({ id: 'e', clinicalHours: -1 })];
    expect(build(e, { indexTime: '2024-03-10T13:00:00+01:00' }).id).toBe(build(e).id);
    expect(build(e).id).toMatch(/^[0-9a-f]{64}$/);
  });
});

const modalityArb = fc.constantFrom('labs', 'vitals', 'imaging', 'notes') as fc.Arbitrary<TimelineEvent['modality']>;
const typeFor: Record<string, string> = { labs: 'Observation', vitals: 'Observation', imaging: 'ImagingStudy', notes: 'DocumentReference' };
const eventsArb = fc
  .array(
    fc.record({
      modality: modalityArb,
      code: fc.constantFrom('a', 'b', 'c'),
      clinicalHours: fc.integer({ min: -24 * 40, max: 24 }),
      lagHours: fc.integer({ min: 0, max: 96 }),
      resource: fc.integer({ min: 0, max: 15 }),
    }),
    { maxLength: 40 },
  )
  .map((seeds) =>
    seeds.map((s, i) =>
      makeEvent({ id: `e${i}`, modality: s.modality, resourceType: typeFor[s.modality], code: s.code, clinicalHours: s.clinicalHours, availableHours: s.clinicalHours + s.lagHours, resourceId: `r${s.resource}`, versionId: String(i) }),
    ),
  );
const asOfArb = fc.integer({ min: -48, max: 48 });

describe('buildAlignedBundle: properties', () => {
  it('no item available after as-of ever appears', () =>
    fc.assert(
      fc.property(eventsArb, asOfArb, (events, asOfH) => {
        const b = build(events, { asOf: at(asOfH) });
        const all = [...b.items.map((e) => e.availableAt), ...b.modalities.flatMap((m) => m.items.map((i) => i.availableAt))];
        expect(all.every((t) => Date.parse(t) <= Date.parse(at(asOfH)))).toBe(true);
      }),
    ));

  it('adding facts (or corrections) that arrive after as-of changes nothing', () =>
    fc.assert(
      fc.property(eventsArb, eventsArb, asOfArb, (known, later, asOfH) => {
        const asOf = at(asOfH);
        const before = known.filter((e) => Date.parse(e.availableAt) <= Date.parse(asOf));
        const lateRows = later.map((e, i) => ({ ...e, id: `late${i}`, availableAt: at(asOfH + 1 + i), supersedes: before[i]?.id }));
        expect(build([...before, ...lateRows], { asOf })).toEqual(build(before, { asOf }));
      }),
    ));

  it('arrival order does not matter and equal inputs give equal ids', () =>
    fc.assert(
      fc.property(eventsArb.chain((events) => fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length }))), ([events, shuffled]) => {
        const a = build(events);
        const b = build(shuffled);
        expect(b.id).toBe(a.id);
        expect(b.modalities).toEqual(a.modalities);
      }),
    ));

  it('different as-of or spec version gives a different id', () =>
    fc.assert(
      fc.property(eventsArb, (events) => {
        const a = build(events);
        expect(build(events, { asOf: at(1) }).id).not.toBe(a.id);
        expect(build(events, { spec: { ...spec, version: '9' } }).id).not.toBe(a.id);
      }),
    ));
});
