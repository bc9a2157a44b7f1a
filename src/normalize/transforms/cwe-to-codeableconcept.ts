import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { Vocabulary } from '../mapping-schema.js';
import { codingSystemUri } from './coding-system.js';
import type { TransformContext } from './transform.js';

/**
 * CWE/CE/CNE → CodeableConcept (IG CWE[CodeableConcept]): CWE.1-3 and the alternate CWE.4-6 become
 * codings, CWE.9 (original text, else CWE.2) becomes text.
 */
export function cweToCodeableConcept(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): CodeableConcept | undefined {
  return cweComponents(field, ctx.vocabularies);
}

export function cweComponents(field: Hl7v2Field, vocabularies: ReadonlyMap<string, Vocabulary>): CodeableConcept | undefined {
  const coding: Coding[] = [];
  for (const base of [1, 4]) {
    const code = field.component(base).trim();
    const display = field.component(base + 1).trim();
    if (!code) continue;
    const system = codingSystemUri(field.component(base + 2).trim(), vocabularies);
    coding.push({ ...(system ? { system } : {}), code, ...(display ? { display } : {}) });
  }
  const text = field.component(9).trim() || field.component(2).trim();
  if (coding.length === 0 && !text) return undefined;
  return { ...(coding.length ? { coding } : {}), ...(text ? { text } : {}) };
}
