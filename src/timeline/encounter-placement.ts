import { encounterOpenAt, type EncounterState } from './encounter-state.js';
import type { TimelineEvent } from './timeline-event.js';

/** The visit the source itself named (Observation.encounter, DocumentReference.context.encounter …). */
function sourceEncounter(e: TimelineEvent): string | undefined {
  const r = e.resource as { encounter?: { reference?: string }; context?: { reference?: string; encounter?: { reference?: string }[] } } | undefined;
  const ref = r?.encounter?.reference ?? r?.context?.reference ?? r?.context?.encounter?.[0]?.reference;
  return ref?.match(/(?:^|\/)Encounter\/([^/]+)$/)?.[1];
}

/**
 * Bitemporal placement (issue 5 §2): a fact whose source gave no visit number belongs to the
 * encounter open at its clinical time *as known at the as-of time* — `encounters` from
 * `encountersAsOf(db, records, asOf)`. The timeline row's own `encounter_id` was placed with what
 * was known when the row was appended, so a fact that arrived before its admission, or whose visit
 * was later cancelled, is placed here again. A visit number from the source always stands. Pure.
 */
export function placeInEncounters<E extends TimelineEvent>(events: readonly E[], encounters: readonly EncounterState[]): E[] {
  return events.map((e) => {
    if (!e.resource) return e; // without the source resource the row's own placement is all there is
    const own = sourceEncounter(e);
    if (own) return own === e.encounterId ? e : { ...e, encounterId: own };
    const open = encounterOpenAt(encounters, e.clinicalStart)?.encounterId;
    if (open === e.encounterId) return e;
    const { encounterId: _placed, ...rest } = e;
    return (open ? { ...rest, encounterId: open } : rest) as E;
  });
}
