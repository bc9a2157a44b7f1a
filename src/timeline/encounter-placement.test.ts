import { describe, expect, it } from '@jest/globals';
import type { Observation } from '@medplum/fhirtypes';
import { placeInEncounters } from './encounter-placement.js';
import { encounterVersions, type LoggedEncounterEvent } from './encounter-replay.js';
import type { TimelineEvent } from './timeline-event.js';
import { hoursFromIndex } from './timeline-test-facts.js';

const ev = (trigger: LoggedEncounterEvent['trigger'], encounterId: string, h: number, known: number, seq: number): LoggedEncounterEvent => ({
  trigger, encounterId, patientRecord: 'p1', at: hoursFromIndex(h), knownAt: hoursFromIndex(known), seq,
});

/** The encounters as known at `asOf` hours: the version of each valid then. */
function knownAt(events: LoggedEncounterEvent[], asOf: number) {
  const k = Date.parse(hoursFromIndex(asOf));
  return ['v1', 'v2'].flatMap((id) => encounterVersions(events.filter((e) => e.encounterId === id)).filter((v) => Date.parse(v.knownFrom) <= k && (v.knownTo === undefined || k < Date.parse(v.knownTo))).map((v) => v.state));
}

function labAt(h: number, placed?: string, encounterRef?: string): TimelineEvent {
  const resource: Observation = { resourceType: 'Observation', id: `o${h}`, status: 'final', code: { text: 'Cr' }, subject: { reference: 'Patient/p1' }, ...(encounterRef ? { encounter: { reference: `Encounter/${encounterRef}` } } : {}) };
  return {
    id: `e${h}`, patientRecord: 'p1', ...(placed ? { encounterId: placed } : {}), modality: 'labs', resourceType: 'Observation', resourceId: `o${h}`, versionId: '1',
    clinicalStart: hoursFromIndex(h), receivedAt: hoursFromIndex(h), availableAt: hoursFromIndex(h), status: 'final', source: { kind: 'hl7v2' }, resource,
  };
}

describe('placing facts without a visit number, as known at as-of', () => {
  // v1 admitted at -10 (known -10), discharged at -4 (known -4); v2 admitted at -2 but only known at +1.
  const events = [ev('A01', 'v1', -10, -10, 1), ev('A03', 'v1', -4, -4, 2), ev('A01', 'v2', -2, 1, 3)];

  it('a fact that arrived before its admission was known is placed once the admission is known', () => {
    const fact = labAt(-1);
    expect(placeInEncounters([fact], knownAt(events, 0))[0]?.encounterId).toBeUndefined();
    expect(placeInEncounters([fact], knownAt(events, 2))[0]?.encounterId).toBe('v2');
  });

  it('a placement by a visit later cancelled is withdrawn; the source visit number always stands', () => {
    const cancelled = [...events, ev('A11', 'v1', -10, -3, 4)];
    expect(placeInEncounters([labAt(-6, 'v1')], knownAt(cancelled, -5))[0]?.encounterId).toBe('v1');
    expect(placeInEncounters([labAt(-6, 'v1')], knownAt(cancelled, 0))[0]?.encounterId).toBeUndefined();
    expect(placeInEncounters([labAt(-6, 'v1', 'v1')], knownAt(cancelled, 0))[0]?.encounterId).toBe('v1');
  });
});
