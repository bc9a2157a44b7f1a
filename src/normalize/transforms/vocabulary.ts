import type { Coding } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { ERROR_CODES } from '../convert-issue.js';
import type { TransformContext } from './transform.js';

type Ctx = Pick<TransformContext, 'vocabulary' | 'issue'>;

/** Looks component 1 up in the field map's vocabulary; an unknown code is reported (table 0357 code 103). */
export function lookupCoding(field: Hl7v2Field, ctx: Ctx): Coding | undefined {
  const raw = field.component(1).trim();
  if (!raw || !ctx.vocabulary) return undefined;
  const hit = ctx.vocabulary.codes[raw] ?? ctx.vocabulary.codes[raw.toUpperCase()];
  if (!hit) {
    ctx.issue('warning', ERROR_CODES.tableValueNotFound, `"${raw}" is not in ${ctx.vocabulary.name} (${ctx.vocabulary.v2Table})`);
    return undefined;
  }
  return { system: hit.system, code: hit.code, ...(hit.display ? { display: hit.display } : {}) };
}

/** The bare FHIR code, for `code`-typed elements such as Patient.gender. */
export function vocabularyCode(field: Hl7v2Field, ctx: Ctx): string | undefined {
  return lookupCoding(field, ctx)?.code;
}

/** A Coding, for Coding-typed elements such as Encounter.class. */
export function vocabularyCoding(field: Hl7v2Field, ctx: Ctx): Coding | undefined {
  return lookupCoding(field, ctx);
}

/** A CodeableConcept holding the mapped coding and, when the sender gave one, its text. */
export function vocabularyConcept(field: Hl7v2Field, ctx: Ctx): { coding: Coding[]; text?: string } | undefined {
  const coding = lookupCoding(field, ctx);
  if (!coding) return undefined;
  const text = field.component(2).trim();
  return { coding: [coding], ...(text ? { text } : {}) };
}
