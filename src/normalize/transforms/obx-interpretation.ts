import type { CodeableConcept } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { ERROR_CODES } from '../convert-issue.js';
import type { TransformContext } from './transform.js';
import { looksLikeUcum } from './ucum.js';

/** OBX-8 abnormal flag (table 0078) → Observation.interpretation via the AbnormalFlags vocabulary (IG InterpretationCodes). */
export function obxInterpretation(field: Hl7v2Field, ctx: TransformContext): CodeableConcept | undefined {
  const flag = field.component(1).trim();
  if (!flag) return undefined;
  const vocab = ctx.vocabularies.get('AbnormalFlags');
  const hit = vocab?.codes[flag];
  if (!hit) {
    ctx.issue('warning', ERROR_CODES.tableValueNotFound, `abnormal flag "${flag}" is not in HL7 table 0078`);
    return { text: flag };
  }
  return { coding: [{ system: hit.system, code: hit.code, ...(hit.display ? { display: hit.display } : {}) }] };
}

/** OBX-7 `12-17.5`, `<5`, `>=10` → Observation.referenceRange with OBX-6 units; otherwise kept as text. */
export function obxReferenceRange(field: Hl7v2Field, ctx: TransformContext): Record<string, unknown> | undefined {
  const text = field.value().trim();
  if (!text) return undefined;
  const units = ctx.segment.field(6).component(1).trim();
  const ucum = looksLikeUcum(units) ? { system: 'http://unitsofmeasure.org', code: units } : {};
  const q = (v: string): Record<string, unknown> => ({ value: Number(v), ...(units ? { unit: units, ...ucum } : {}) });
  const num = '([+-]?\\d+(?:\\.\\d+)?)';
  const range = new RegExp(`^${num}\\s*-\\s*${num}$`).exec(text);
  if (range) return { low: q(range[1]!), high: q(range[2]!), text };
  const lt = new RegExp(`^<=?\\s*${num}$`).exec(text);
  if (lt) return { high: q(lt[1]!), text };
  const gt = new RegExp(`^>=?\\s*${num}$`).exec(text);
  if (gt) return { low: q(gt[1]!), text };
  return { text };
}
