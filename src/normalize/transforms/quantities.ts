import type { Quantity } from '@medplum/fhirtypes';
import type { Hl7v2Field, Hl7v2Segment } from '../../ingest/hl7v2/index.js';
import { codingSystemUri } from './coding-system.js';
import type { Transform, TransformContext } from './transform.js';

/**
 * An amount field plus a CWE units field of the same segment → Quantity (IG CWE[Quantity]:
 * CWE.1 code, CWE.2 unit, CWE.3 system; UCUM when CWE.3 says so). RXA-6 `999` means "amount
 * unknown" (CDC IIS IG) and maps to nothing.
 */
export function amountWithUnits(amount: string, units: Hl7v2Field | undefined, ctx: Pick<TransformContext, 'vocabularies' | 'issue'>): Quantity | undefined {
  const raw = amount.trim();
  if (!raw || raw === '999') return undefined;
  const value = Number(raw);
  if (!/^[+-]?\d+(?:\.\d+)?$/.test(raw) || !Number.isFinite(value)) {
    ctx.issue('warning', '102', `"${raw}" is not a number; no quantity`);
    return undefined;
  }
  const code = units?.component(1).trim() ?? '';
  const unit = units?.component(2).trim() || code;
  const system = units ? codingSystemUri(units.component(3).trim(), ctx.vocabularies) : undefined;
  return { value, ...(unit ? { unit } : {}), ...(system && code ? { system, code } : {}) };
}

/** A transform for `amountField` whose units are in field `unitsField` of the same segment. */
function withUnits(unitsField: number): Transform {
  return (field, ctx) => amountWithUnits(field.component(1), (ctx.segment as Hl7v2Segment).field(unitsField), ctx);
}

/** RXE-3 give amount (minimum) + RXE-5 give units (IG RXO/RXE rows, dose quantity). */
export const rxeDoseQuantity: Transform = withUnits(5);
/** RXE-10 dispense amount + RXE-11 dispense units → dispenseRequest.quantity. */
export const rxeDispenseQuantity: Transform = withUnits(11);
/** RXD-4 actual dispense amount + RXD-5 actual dispense units → MedicationDispense.quantity. */
export const rxdQuantity: Transform = withUnits(5);
/** RXA-6 administered amount + RXA-7 administered units (IG RXA[Immunization] RXA-6/RXA-7). */
export const rxaDoseQuantity: Transform = withUnits(7);
