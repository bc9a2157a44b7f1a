import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { EncounterInput } from './encounter-state.js';
import { encounterVersions, replayEncounter, type LoggedEncounterEvent } from './encounter-replay.js';
import { hoursFromIndex } from './timeline-test-facts.js';

let seq = 0;
/** An event that happened `h` hours from the index time and became known `known` hours from it. */
const ev = (trigger: EncounterInput['trigger'], h: number, known: number, extra: Partial<EncounterInput> = {}): LoggedEncounterEvent => ({
  trigger, encounterId: 'v1', patientRecord: 'p1', at: hoursFromIndex(h), knownAt: hoursFromIndex(known), seq: ++seq, ...extra,
});

describe('replaying an encounter in clinical order', () => {
  it('A01 → A02 → A02 → A03: three stays, each closed by the next', () => {
    const { state, verdicts } = replayEncounter([ev('A01', -10, -10, { location: 'ED' }), ev('A02', -8, -8, { location: 'W1' }), ev('A02', -5, -5, { location: 'W2' }), ev('A03', -1, -1)]);
    expect(verdicts.every((v) => v.accepted)).toBe(true);
    expect(state?.locations).toEqual([
      { location: 'ED', from: hoursFromIndex(-10), to: hoursFromIndex(-8) },
      { location: 'W1', from: hoursFromIndex(-8), to: hoursFromIndex(-5) },
      { location: 'W2', from: hoursFromIndex(-5), to: hoursFromIndex(-1) },
    ]);
  });

  it('a cancel carrying the time of what it cancels is applied after it (known later)', () => {
    expect(replayEncounter([ev('A01', -10, -10), ev('A11', -10, -9)]).state?.status).toBe('cancelled');
    expect(replayEncounter([ev('A01', -10, -10), ev('A03', -2, -2), ev('A13', -2, -1)]).state).toMatchObject({ status: 'in-progress' });
  });

  it('a discharge that arrived before its admit is accepted once the admit is known', () => {
    const a03 = ev('A03', -1, -1);
    expect(replayEncounter([a03]).verdicts[0]).toMatchObject({ accepted: false, problem: expect.stringMatching(/does not exist/) });
    const both = replayEncounter([a03, ev('A01', -10, 0)]);
    expect(both.state?.status).toBe('finished');
    expect(both.verdicts.map((v) => v.accepted)).toEqual([true, true]);
  });

  it('any arrival order of the same events gives the same final state', () => {
    const events = [ev('A01', -10, -10, { location: 'ED' }), ev('A02', -8, -8, { location: 'W1' }), ev('A08', -7, -7, { patientClass: 'I' }), ev('A02', -5, -5, { location: 'W2' }), ev('A03', -1, -1)];
    const expected = replayEncounter(events).state;
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), (order) => {
        const arrived = order.map((e, i) => ({ ...e, seq: i }));
        expect(replayEncounter(arrived).state).toEqual(expected);
      }),
    );
  });
});

describe('encounter versions over system time', () => {
  it('each instant something became known starts a version; the last one stays open', () => {
    const versions = encounterVersions([ev('A01', -10, -9, { location: 'ED' }), ev('A03', -1, 0), ev('A02', -5, 2, { location: 'W1' })]);
    expect(versions.map((v) => [v.knownFrom, v.knownTo, v.state.status, v.state.locations.map((s) => s.location)])).toEqual([
      [hoursFromIndex(-9), hoursFromIndex(0), 'in-progress', ['ED']],
      [hoursFromIndex(0), hoursFromIndex(2), 'finished', ['ED']],
      [hoursFromIndex(2), undefined, 'finished', ['ED', 'W1']],
    ]);
  });

  it('no version while nothing valid was known, and none repeated when an event changed nothing', () => {
    const versions = encounterVersions([ev('A03', -1, -1), ev('A01', -10, 1), ev('A08', -0.5, 2)]);
    expect(versions.map((v) => [v.knownFrom, v.knownTo])).toEqual([[hoursFromIndex(1), undefined]]);
  });
});
