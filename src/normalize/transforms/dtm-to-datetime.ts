import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { hl7ToFhirDate, hl7ToFhirDateTime } from '../../ingest/hl7v2/index.js';
import { ERROR_CODES } from '../convert-issue.js';
import type { TransformContext } from './transform.js';

/**
 * DTM/TS → FHIR dateTime at the sent precision; a time without an offset takes the sending
 * facility's zone (ctx.zone), so the result never has a time without an offset.
 */
export function dtmToDateTime(field: Hl7v2Field, ctx: Pick<TransformContext, 'zone' | 'location' | 'issue'>): string | undefined {
  return rawToDateTime(field.component(1), ctx);
}

/** The same for a DTM string a step has already picked out (a TQ component, an AIS start). */
export function rawToDateTime(value: string, ctx: Pick<TransformContext, 'zone' | 'location' | 'issue'>): string | undefined {
  const raw = value.trim();
  if (!raw) return undefined;
  if (/^0000/.test(raw)) return zeroYear(raw, ctx);
  try {
    return hl7ToFhirDateTime(raw, ctx.zone).value;
  } catch {
    ctx.issue('error', ERROR_CODES.dataType, `"${raw}" is not an HL7 date/time (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ])`);
    return undefined;
  }
}

/** FHIR instant needs seconds and an offset; shorter precisions are dropped with a warning. */
export function dtmToInstant(field: Hl7v2Field, ctx: Pick<TransformContext, 'zone' | 'location' | 'issue'>): string | undefined {
  const value = dtmToDateTime(field, ctx);
  if (value === undefined) return undefined;
  if (/T\d{2}:\d{2}:\d{2}/.test(value)) return value;
  ctx.issue('warning', ERROR_CODES.dataType, `"${field.component(1)}" has no time; an instant needs one`);
  return undefined;
}

/** DT (or the date part of a DTM) → FHIR date. */
export function dtToDate(field: Hl7v2Field, ctx: Pick<TransformContext, 'location' | 'issue'>): string | undefined {
  const raw = field.component(1).trim();
  if (!raw) return undefined;
  if (/^0000/.test(raw)) return zeroYear(raw, ctx);
  try {
    return hl7ToFhirDate(raw);
  } catch {
    ctx.issue('error', ERROR_CODES.dataType, `"${raw}" is not an HL7 date (YYYY[MM[DD]])`);
    return undefined;
  }
}

/** FHIR years run from 0001 (https://hl7.org/fhir/R4/datatypes.html#date); `0000` is a sender's placeholder. */
function zeroYear(raw: string, ctx: Pick<TransformContext, 'issue'>): undefined {
  ctx.issue('error', ERROR_CODES.dataType, `"${raw}" has year 0000, which FHIR dates cannot hold`);
  return undefined;
}
