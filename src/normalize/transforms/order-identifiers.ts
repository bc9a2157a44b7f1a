import type { Identifier } from '@medplum/fhirtypes';
import type { Hl7v2Field, Hl7v2Segment } from '../../ingest/hl7v2/index.js';
import { eiToFillerIdentifier, eiToIdentifier, eiToPlacerIdentifier } from './simple.js';
import type { TransformContext } from './transform.js';

/** Nearest ORC before the OBR (its ORDER group's common order segment). */
function orcOf(ctx: Pick<TransformContext, 'message' | 'segment'>): Hl7v2Segment | undefined {
  return ctx.message.segments('ORC').filter((s) => s.index < ctx.segment.index).pop();
}

/** OBR-2 placer order number, only when ORC-2 is empty (IG OBR[ServiceRequest] "IF ORC-2 NOT VALUED"). */
export function obrPlacerIdentifier(field: Hl7v2Field, ctx: TransformContext): Identifier | undefined {
  return orcOf(ctx)?.field(2).component(1).trim() ? undefined : eiToPlacerIdentifier(field);
}

/** OBR-3 filler order number, only when ORC-3 is empty (IG OBR[ServiceRequest] "IF ORC-3 NOT VALUED"). */
export function obrFillerIdentifier(field: Hl7v2Field, ctx: TransformContext): Identifier | undefined {
  return orcOf(ctx)?.field(3).component(1).trim() ? undefined : eiToFillerIdentifier(field);
}

/**
 * Accession number (IPC-1; OBR-18 in IHE Scheduled Workflow ORM) as an ACSN identifier. The IG
 * maps neither; DICOM and IHE RAD use ACSN (https://hl7.org/fhir/R4/imagingstudy.html#notes).
 */
export function accessionIdentifier(field: Hl7v2Field): Identifier | undefined {
  const id = eiToIdentifier(field);
  return id && { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN', display: 'Accession ID' }] }, ...id };
}

/** DICOM Study Instance UID (IPC-3, ZDS-1) as `urn:dicom:uid` (ImagingStudy.identifier notes). */
export function dicomUidIdentifier(field: Hl7v2Field, ctx: Pick<TransformContext, 'issue'>): Identifier | undefined {
  const uid = field.component(1).trim();
  if (!uid) return undefined;
  if (!/^\d+(?:\.\d+)+$/.test(uid)) {
    ctx.issue('warning', '102', `"${uid}" is not a DICOM UID`);
    return undefined;
  }
  return { system: 'urn:dicom:uid', value: `urn:oid:${uid}` };
}
