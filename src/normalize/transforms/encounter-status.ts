import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { TransformContext } from './transform.js';

/**
 * MSH-9.2 trigger → Encounter.status. A discharge time (PV1-45) means `finished` (IG PV1[Encounter]
 * PV1-45 row); otherwise the IG Event[EncounterStatus] map by trigger. That map gives A08
 * `unknown` ("the transaction does not convey the status"); since an A08 updates the same
 * Encounter id, `unknown` would erase a known state, so Sinew says in-progress instead, as it
 * does for non-ADT triggers (ORU, MDM) that carry a PV1.
 */
export function encounterStatus(field: Hl7v2Field, ctx: TransformContext): string | undefined {
  const trigger = field.component(2).trim();
  const mapped = ctx.vocabularies.get('EventEncounterStatus')?.codes[trigger]?.code;
  // A11/A13 cancel an admit or a discharge: PV1-45 may still carry the cancelled time.
  if (mapped && (trigger === 'A11' || trigger === 'A13')) return mapped;
  const discharged = ctx.message.segment('PV1')?.field(45).component(1).trim();
  if (discharged) return 'finished';
  return mapped && mapped !== 'unknown' ? mapped : 'in-progress';
}
