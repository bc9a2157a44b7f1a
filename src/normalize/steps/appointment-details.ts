import type { Appointment, AppointmentParticipant } from '@medplum/fhirtypes';
import type { Hl7v2Segment } from '../../ingest/hl7v2/index.js';
import { ERROR_CODES } from '../convert-issue.js';
import { cweComponents } from '../transforms/cwe-to-codeableconcept.js';
import { rawToDateTime } from '../transforms/dtm-to-datetime.js';
import { DURATION_MINUTES } from '../transforms/numbers.js';
import { xcnToReference } from '../transforms/simple.js';
import { addMinutes, toInstant } from '../transforms/timing.js';
import { live, ref, segmentLocation, stepContext, type Assembly } from './assembly.js';

/** Start, duration and duration units fields of each resource segment (v2.5.1 §10.6). */
const RESOURCE_TIMES: Record<string, [number, number, number]> = { AIS: [4, 7, 8], AIG: [8, 11, 12], AIL: [6, 9, 10], AIP: [6, 9, 10] };

/**
 * SIU (IG SCH[Appointment] plus AIS/AIG/AIL/AIP, which follow SCH and so are read here): start and
 * end from SCH-11 TQ.4/TQ.5, else TQ1-7/TQ1-8, else start plus SCH-9, else the first resource segment's start plus its
 * duration; serviceType from AIS-3; participants: the patient (PID), AIP personnel, AIL locations,
 * AIG resources, each `accepted` unless the message cancels (then `declined`).
 */
export function appointmentDetails(a: Assembly): void {
  const patient = live(a, 'Patient')[0];
  for (const e of live(a, 'Appointment')) {
    const appt = e.resource as Appointment;
    const sch = e.segment;
    // A date without a time (SCH-11 "^^^20220429") cannot be an instant: the AIS/AIP times are used instead.
    const at = (seg: Hl7v2Segment, n: number, raw: string) => {
      const v = raw.trim() ? rawToDateTime(raw, stepContext(a, seg, n)) : undefined;
      return v?.includes('T') ? v : undefined;
    };
    const tq1 = a.message.segment('TQ1');
    let start = at(sch, 11, sch.field(11).component(4)) ?? (tq1 ? at(tq1, 7, tq1.field(7).component(1)) : undefined);
    let end = at(sch, 11, sch.field(11).component(5)) ?? (tq1 ? at(tq1, 8, tq1.field(8).component(1)) : undefined);
    // SCH-9 (the scheduler's own duration) before the resource segments' durations.
    if (start && !end && appt.minutesDuration) end = addMinutes(start, appt.minutesDuration);
    for (const seg of a.message.segments().filter((s) => RESOURCE_TIMES[s.name])) {
      if (start && end) break;
      const [s, d, u] = RESOURCE_TIMES[seg.name]!;
      const from = at(seg, s, seg.field(s).component(1));
      const minutes = Number(seg.field(d).component(1)) * (DURATION_MINUTES[seg.field(u).component(1).trim().toUpperCase()] ?? 1);
      if (!from) continue;
      start ??= from;
      if (!end && minutes > 0) end = addMinutes(from, minutes);
    }
    if (start && end) Object.assign(appt, { start: toInstant(start), end: toInstant(end) });
    else if (!['proposed', 'cancelled', 'waitlist'].includes(appt.status)) {
      a.issue('error', ERROR_CODES.requiredFieldMissing, segmentLocation(a.message, sch), 'no start and end time (SCH-11, TQ1, AIS/AIL/AIP); a booked Appointment needs both (FHIR app-3)');
    }
    const ais = a.message.segment('AIS');
    const service = ais && cweComponents(ais.field(3), a.mappings.vocabularies);
    if (service) appt.serviceType = [service];
    const status: AppointmentParticipant['status'] = appt.status === 'cancelled' ? 'declined' : 'accepted';
    const participants: AppointmentParticipant[] = patient ? [{ actor: ref(patient.resource), status }] : [];
    for (const seg of a.message.segments('AIP')) {
      const actor = xcnToReference(seg.field(3), { vocabularies: a.mappings.vocabularies });
      const role = cweComponents(seg.field(4), a.mappings.vocabularies);
      if (actor) participants.push({ actor: actor as AppointmentParticipant['actor'], ...(role ? { type: [role] } : {}), status });
    }
    for (const seg of a.message.segments('AIL')) {
      const display = [seg.field(3).component(4), seg.field(3).component(1), seg.field(3).component(2), seg.field(3).component(3)].map((s) => s.trim()).filter(Boolean).join(' ');
      if (display) participants.push({ actor: { type: 'Location', display }, status });
    }
    for (const seg of a.message.segments('AIG')) {
      const display = seg.field(3).component(2).trim() || seg.field(3).component(1).trim();
      if (display) participants.push({ actor: { display }, status });
    }
    if (participants.length) appt.participant = participants;
    else a.issue('error', ERROR_CODES.requiredFieldMissing, segmentLocation(a.message, sch), 'no participant (PID, AIP, AIL, AIG); Appointment.participant is 1..*');
  }
}
