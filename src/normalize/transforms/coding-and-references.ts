import type { Coding, Reference } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { codingSystemUri } from './coding-system.js';
import { xcnToReference } from './simple.js';
import type { TransformContext } from './transform.js';

/** CWE → one Coding (CWE.1-3), for Coding-typed elements such as ImagingStudy.modality. */
export function cweToCoding(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): Coding | undefined {
  const code = field.component(1).trim();
  if (!code) return undefined;
  const display = field.component(2).trim();
  const system = codingSystemUri(field.component(3).trim(), ctx.vocabularies);
  return { ...(system ? { system } : {}), code, ...(display ? { display } : {}) };
}

/**
 * IPC-5 modality (DICOM CID 29 codes such as CT, MR, US) → Coding in the DICOM system; senders
 * rarely fill CWE.3, and the bare code is only meaningful as a DICOM modality.
 */
export function cweToDicomModality(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): Coding | undefined {
  const coding = cweToCoding(field, ctx);
  return coding && { ...coding, system: coding.system ?? 'http://dicom.nema.org/resources/ontology/DCM' };
}

/** CWE naming an organisation (RXA-17 manufacturer, MVX) → display Reference with the code as identifier. */
export function cweToReference(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): Reference | undefined {
  const code = field.component(1).trim();
  const display = field.component(2).trim();
  if (!code && !display) return undefined;
  const system = codingSystemUri(field.component(3).trim(), ctx.vocabularies);
  return { ...(code ? { identifier: { ...(system ? { system } : {}), value: code } } : {}), ...(display ? { display } : {}) };
}

/** RXA-10 administering provider → Immunization.performer with function AP (IG RXA[Immunization] RXA-10). */
export function xcnToAdministeringPerformer(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): Record<string, unknown> | undefined {
  const actor = xcnToReference(field, ctx);
  return actor && {
    function: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0443', code: 'AP', display: 'Administering Provider' }] },
    actor,
  };
}

/** XCN → `{ actor }` (MedicationAdministration.performer, MedicationDispense.performer). */
export function xcnToPerformer(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): { actor: Reference } | undefined {
  const actor = xcnToReference(field, ctx);
  return actor && { actor };
}
