import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { TransformContext } from './transform.js';

/**
 * RXA-20 completion status (table 0322) with RXA-21 action code D = entered in error (IG
 * RXA[Immunization] RXA-20/RXA-21 rows; CompletionStatus ConceptMap: CP/PA → completed, RE/NA →
 * not-done). Mapped from RXA-1 (always valued) so that an empty RXA-20 still yields `completed`.
 */
export function rxaImmunizationStatus(_field: Hl7v2Field, ctx: TransformContext): string {
  if (ctx.segment.field(21).component(1).trim().toUpperCase() === 'D') return 'entered-in-error';
  const completion = ctx.segment.field(20).component(1).trim().toUpperCase();
  return completion === 'RE' || completion === 'NA' ? 'not-done' : 'completed';
}

/**
 * The same for MedicationAdministration.status (in-progress | not-done | on-hold | completed |
 * entered-in-error | stopped | unknown): PA partially administered → stopped. The IG has no RXA
 * map for MedicationAdministration ("Under Construction"); Sinew's choice.
 */
export function rxaAdministrationStatus(field: Hl7v2Field, ctx: TransformContext): string {
  const completion = ctx.segment.field(20).component(1).trim().toUpperCase();
  if (completion === 'PA' && ctx.segment.field(21).component(1).trim().toUpperCase() !== 'D') return 'stopped';
  return rxaImmunizationStatus(field, ctx);
}

/**
 * RXA-9 administration notes, NIP001 code `00` = new immunization record (primary source), `01`-`08`
 * = historical from another source (CDC IIS IG); otherwise unknown, so nothing is said.
 */
export function rxaPrimarySource(field: Hl7v2Field): boolean | undefined {
  const code = field.component(1).trim();
  if (code === '00') return true;
  if (/^0[1-8]$/.test(code)) return false;
  return undefined;
}
