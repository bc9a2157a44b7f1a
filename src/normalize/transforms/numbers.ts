import type { Identifier } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { ERROR_CODES } from '../convert-issue.js';
import { authoritySystem } from './cx-to-identifier.js';
import type { TransformContext } from './transform.js';

/** NM → FHIR unsignedInt (RXE-12 number of refills); anything else is reported and dropped. */
export function nmToUnsignedInt(field: Hl7v2Field, ctx: Pick<TransformContext, 'issue'>): number | undefined {
  const raw = field.component(1).trim();
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw) ctx.issue('warning', ERROR_CODES.dataType, `"${raw}" is not a whole number`);
  return undefined;
}

/** Duration unit codes senders use (ISO+ / ANSI: s, min, h, d) → minutes. */
export const DURATION_MINUTES: Readonly<Record<string, number>> = { S: 1 / 60, SEC: 1 / 60, M: 1, MIN: 1, H: 60, HR: 60, HOUR: 60, D: 1440 };

/** SCH-9 duration with SCH-10 units (CNE; minutes when empty) → Appointment.minutesDuration (positiveInt). */
export function schDurationMinutes(field: Hl7v2Field, ctx: TransformContext): number | undefined {
  const value = Number(field.component(1).trim());
  const unit = ctx.segment.field(10).component(1).trim().toUpperCase() || 'MIN';
  const factor = DURATION_MINUTES[unit];
  if (!Number.isFinite(value) || value <= 0 || factor === undefined) {
    ctx.issue('warning', ERROR_CODES.dataType, `duration "${field.component(1)}" "${unit}" cannot be expressed in minutes`);
    return undefined;
  }
  return Math.max(1, Math.round(value * factor));
}

/**
 * EIP (SPM-2) → placer and filler Identifiers (IG SPM[Specimen] SPM-2 rows, EIP[Identifier-
 * PlacerAssignedIdentifier] / EIP[Identifier-FillerAssignedIdentifier]); each EI is in subcomponents.
 */
export function eipToIdentifiers(field: Hl7v2Field): Identifier[] | undefined {
  const out: Identifier[] = [];
  for (const [c, code, display] of [[1, 'PLAC', 'Placer Identifier'], [2, 'FILL', 'Filler Identifier']] as const) {
    const value = field.component(c, 1).trim();
    if (!value) continue;
    const system = authoritySystem(field.component(c, 2), field.component(c, 3), field.component(c, 4));
    out.push({ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code, display }] }, ...(system ? { system } : {}), value });
  }
  return out.length ? out : undefined;
}
