import type { Encounter, Identifier } from '@medplum/fhirtypes';
import { rawToDateTime } from '../transforms/dtm-to-datetime.js';
import { live, stepContext, type Assembly } from './assembly.js';

const trigger = (a: Assembly): string => a.message.messageType.trigger;

/**
 * A12 cancel transfer (v2.5.1 §3.3.12): PV1-3 again holds the location before the transfer. The
 * cancelled location (PV1-6 in an A12) was never a real stay, so it is not kept as a completed
 * location; the Encounter PUT then reverts to the original location.
 */
export function cancelTransfer(a: Assembly): void {
  if (trigger(a) !== 'A12') return;
  for (const e of live(a, 'Encounter')) {
    const enc = e.resource as Encounter;
    const kept = (enc.location ?? []).filter((l) => l.status !== 'completed');
    if (kept.length) enc.location = kept;
    else delete enc.location;
  }
}

/**
 * A13 cancel discharge (v2.5.1 §3.3.13): senders often repeat the cancelled PV1-45 discharge time
 * and PV1-36 disposition. Both are dropped so the Encounter PUT clears period.end (the known bug:
 * PV1-45 used to set it) and the status stays in-progress (IG Event[EncounterStatus] A13).
 */
export function cancelDischarge(a: Assembly): void {
  if (trigger(a) !== 'A13') return;
  for (const e of live(a, 'Encounter')) {
    const enc = e.resource as Encounter;
    if (enc.period) {
      delete enc.period.end;
      if (!Object.keys(enc.period).length) delete enc.period;
    }
    if (enc.hospitalization) {
      delete enc.hospitalization.dischargeDisposition;
      if (!Object.keys(enc.hospitalization).length) delete enc.hospitalization;
    }
    enc.status = 'in-progress';
  }
}

const V3_ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const PRIOR_CLASS: Record<string, { code: string; display: string }> = {
  A06: { code: 'AMB', display: 'ambulatory' },
  A07: { code: 'IMP', display: 'inpatient encounter' },
};

/**
 * A06 (outpatient → inpatient) and A07 (inpatient → outpatient), v2.5.1 §3.3.6/3.3.7: the new
 * class comes from PV1-2; the class the visit had until the event (EVN-6, else EVN-2, else MSH-7) goes to
 * Encounter.classHistory. MRG-5 prior visit number, when it differs, stays as an `old` identifier.
 */
export function classChange(a: Assembly): void {
  const prior = PRIOR_CLASS[trigger(a)];
  if (!prior) return;
  const evn = a.message.segment('EVN');
  const n = evn?.field(6).component(1) ? 6 : 2;
  // classHistory.period is 1..1: without an event time, the message time (MSH-7) ends the old class.
  const end = (evn && evn.field(n).component(1) ? rawToDateTime(evn.field(n).component(1), stepContext(a, evn, n)) : undefined)
    ?? rawToDateTime(a.message.messageDateTime, stepContext(a, a.message.header, 7));
  const mrg = a.message.segment('MRG');
  for (const e of live(a, 'Encounter')) {
    const enc = e.resource as Encounter;
    if (end) enc.classHistory = [{ class: { system: V3_ACT, ...prior }, period: { end } }];
    const old = mrg?.field(5);
    if (old?.component(1) && !enc.identifier?.some((i) => i.value === old.component(1))) {
      const id: Identifier = { use: 'old', value: old.component(1), ...(end ? { period: { end } } : {}) };
      enc.identifier = [...(enc.identifier ?? []), id];
    }
  }
}

/**
 * A28/A31 add/update person information (v2.5.1 §3.3.28/3.3.31) are about the person, not a
 * visit: their PV1 is usually a placeholder ("PV1|1|N"). Only Patient-level resources are kept;
 * encounter references of the rest are removed.
 */
export function personOnly(a: Assembly): void {
  if (!['A28', 'A31'].includes(trigger(a))) return;
  const dropped = new Set<string>();
  for (const e of live(a, 'Encounter')) {
    e.dropped = true;
    dropped.add(`Encounter/${e.resource.id}`);
  }
  for (const e of a.entries.filter((x) => !x.dropped)) {
    const r = e.resource as { encounter?: { reference?: string } };
    if (r.encounter?.reference && dropped.has(r.encounter.reference)) delete r.encounter;
  }
}
