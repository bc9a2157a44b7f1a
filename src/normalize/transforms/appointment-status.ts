import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { TransformContext } from './transform.js';

/** SIU trigger → Appointment.status when SCH-25 gives none (Sinew: the IG maps SCH-25 only). */
const BY_TRIGGER: Record<string, string> = {
  S12: 'booked', S13: 'booked', S14: 'booked', S15: 'cancelled', S16: 'cancelled', S17: 'entered-in-error', S26: 'noshow',
};

/**
 * Appointment.status from SCH-25 filler status (IG ConceptMap FillerStatusCodes[Appointment],
 * table 0278) when valued, else from the trigger: an S15 cancel with a stale SCH-25 "Booked" is
 * still a cancel, so the trigger wins for S15/S16/S17/S26. Applied to MSH-9.
 */
export function appointmentStatus(field: Hl7v2Field, ctx: TransformContext): string | undefined {
  const trigger = field.component(2).trim().toUpperCase();
  const byTrigger = BY_TRIGGER[trigger];
  if (byTrigger && byTrigger !== 'booked') return byTrigger;
  const filler = ctx.message.segment('SCH')?.field(25).component(1).trim() ?? '';
  const byFiller = filler ? ctx.vocabularies.get('FillerStatus')?.codes[filler.toLowerCase()]?.code : undefined;
  return byFiller ?? byTrigger;
}
