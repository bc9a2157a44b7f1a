import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { applyEncounterEvent, encounterOpenAt, type EncounterInput, type EncounterState } from './encounter-state.js';
import { encounterAt, encounterById, encounterEvents, recordEncounterEvent } from './encounter.repository.js';
import { queryAsOf } from './as-of.query.js';
import { fact, hoursFromIndex } from './timeline-test-facts.js';
import { appendTimeline } from './timeline.repository.js';

const ev = (trigger: EncounterInput['trigger'], h: number, extra: Partial<EncounterInput> = {}): EncounterInput => ({ trigger, encounterId: 'v1', patientRecord: 'p1', at: hoursFromIndex(h), ...extra });

function run(events: EncounterInput[]): { state?: EncounterState; problems: string[] } {
  let state: EncounterState | undefined;
  const problems: string[] = [];
  for (const e of events) {
    const t = applyEncounterEvent(state, e);
    if (t.ok) state = t.state;
    else problems.push(t.problem);
  }
  return { ...(state ? { state } : {}), problems };
}

describe('encounter state machine', () => {
  it('pending admit → admit → pending transfer → transfer → update → pending discharge → discharge, with the location history', () => {
    const { state, problems } = run([ev('A14', -50, { location: 'ED' }), ev('A01', -48, { location: 'ED' }), ev('A15', -30, { location: 'W1' }), ev('A02', -24, { location: 'W1' }), ev('A08', -20, { location: 'W1-B2', patientClass: 'I' }), ev('A16', -2), ev('A03', -1)]);
    expect(problems).toEqual([]);
    expect(state).toMatchObject({ status: 'finished', patientClass: 'I', periodStart: hoursFromIndex(-48), periodEnd: hoursFromIndex(-1), location: 'W1-B2' });
    expect(state?.pending).toBeUndefined();
    expect(state?.locations).toEqual([{ location: 'ED', from: hoursFromIndex(-48), to: hoursFromIndex(-24) }, { location: 'W1-B2', from: hoursFromIndex(-24), to: hoursFromIndex(-1) }]);
  });

  it('register (A04) opens an outpatient visit; cancel admit (A11) cancels; cancel discharge (A13) reopens', () => {
    expect(run([ev('A04', -5)]).state).toMatchObject({ status: 'in-progress', patientClass: 'O' });
    expect(run([ev('A01', -5), ev('A11', -4)]).state?.status).toBe('cancelled');
    const reopened = run([ev('A01', -5, { location: 'W1' }), ev('A03', -2), ev('A13', -1)]).state;
    expect(reopened).toMatchObject({ status: 'in-progress', locations: [{ location: 'W1', from: hoursFromIndex(-5) }] });
    expect(reopened?.periodEnd).toBeUndefined();
  });

  it('pre-admit (A05) plans; A06/A07 change the class of the same visit; cancel transfer (A12) reopens the stay before', () => {
    expect(run([ev('A05', -10, { location: 'W1' })]).state).toMatchObject({ status: 'planned', pending: 'admit', location: 'W1' });
    const planned = run([ev('A05', -10, { location: 'W1' }), ev('A01', -8)]).state;
    expect(planned).toMatchObject({ status: 'in-progress', location: 'W1', periodStart: hoursFromIndex(-8) });
    expect(run([ev('A04', -9), ev('A06', -8, { patientClass: 'I' })]).state).toMatchObject({ status: 'in-progress', patientClass: 'I', periodStart: hoursFromIndex(-9) });
    expect(run([ev('A01', -9), ev('A07', -8)]).state?.patientClass).toBe('O');
    const back = run([ev('A01', -9, { location: 'W1' }), ev('A02', -8, { location: 'W2' }), ev('A02', -6, { location: 'W3' }), ev('A12', -6)]).state;
    expect(back).toMatchObject({ location: 'W2', locations: [{ location: 'W1', from: hoursFromIndex(-9), to: hoursFromIndex(-8) }, { location: 'W2', from: hoursFromIndex(-8) }] });
  });

  it.each([
    ['cancel transfer without a transfer', [ev('A01', -5, { location: 'W1' }), ev('A12', -4)]],
    ['class change after discharge', [ev('A01', -5), ev('A03', -4), ev('A06', -3)]],
    ['discharge before admit', [ev('A03', -1)]],
    ['transfer of an unknown encounter', [ev('A02', -1, { location: 'W2' })]],
    ['transfer without a location', [ev('A01', -5), ev('A02', -1)]],
    ['admit twice', [ev('A01', -5), ev('A01', -4)]],
    ['cancel discharge of an open encounter', [ev('A01', -5), ev('A13', -4)]],
    ['cancel admit after discharge', [ev('A01', -5), ev('A03', -4), ev('A11', -3)]],
    ['update of nothing', [ev('A08', -1)]],
    ['pending transfer after discharge', [ev('A01', -5), ev('A03', -4), ev('A15', -3)]],
    ['pending discharge of nothing', [ev('A16', -3)]],
    ['pending admit of an admitted encounter', [ev('A01', -5), ev('A14', -3)]],
    ['discharge before the admission time', [ev('A01', -5), ev('A03', -6)]],
    ['another patient record', [ev('A01', -5), ev('A08', -4, { patientRecord: 'p2' })]],
  ])('reports an illegal transition: %s', (_name, events) => {
    expect(run(events).problems).toHaveLength(1);
  });

  it('encounterOpenAt picks the encounter open at the clinical time', () => {
    const a = run([ev('A01', -50), ev('A03', -40)]).state as EncounterState;
    const b = run([{ ...ev('A01', -10), encounterId: 'v2' }]).state as EncounterState;
    expect(encounterOpenAt([a, b], hoursFromIndex(-45))?.encounterId).toBe('v1');
    expect(encounterOpenAt([a, b], hoursFromIndex(-20))).toBeUndefined();
    expect(encounterOpenAt([a, b], hoursFromIndex(-1))?.encounterId).toBe('v2');
  });
});

describe.each(ENGINES)('encounter store on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores states, logs rejected events, and places facts without a visit number', async () => {
    expect((await recordEncounterEvent(t.db, ev('A01', -50, { location: 'ED' }))).ok).toBe(true);
    expect((await recordEncounterEvent(t.db, ev('A02', -30, { location: 'W1' }))).ok).toBe(true);
    expect((await recordEncounterEvent(t.db, ev('A13', -29))).ok).toBe(false);
    expect((await recordEncounterEvent(t.db, ev('A03', -20))).ok).toBe(true);
    expect(await encounterById(t.db, 'v1')).toMatchObject({ status: 'finished', locations: [{ location: 'ED' }, { location: 'W1' }] });
    const log = await encounterEvents(t.db, 'v1');
    expect(log.map((r) => [r.trigger, r.accepted])).toEqual([['A01', true], ['A02', true], ['A13', false], ['A03', true]]);
    expect(log[2]?.problem).toMatch(/only a finished encounter/);
    expect(await encounterAt(t.db, 'p1', hoursFromIndex(-40))).toBe('v1');
    expect(await encounterAt(t.db, 'p1', hoursFromIndex(-10))).toBeUndefined();
    await appendTimeline(t.db, [fact({ resourceId: 'in', clinical: -40, available: -39, value: 1 }), fact({ resourceId: 'out', clinical: -10, available: -9, value: 2 }), fact({ resourceId: 'given', clinical: -10, available: -9, value: 3, encounterId: 'other' })]);
    const r = await queryAsOf(t.db, { patientRecords: ['p1'], asOf: new Date(hoursFromIndex(0)), windows: [{ modality: 'labs', to: new Date(hoursFromIndex(0)) }] });
    expect(Object.fromEntries(r.events.map((e) => [e.resourceId, e.encounterId ?? null]))).toEqual({ in: 'v1', out: null, given: 'other' });
  });
});
