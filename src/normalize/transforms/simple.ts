import type { Identifier, Reference } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { authoritySystem } from './cx-to-identifier.js';
import type { TransformContext } from './transform.js';
import { nameFrom } from './xpn-to-humanname.js';

/** ST/ID/IS, component 1 as text. */
export function stToString(field: Hl7v2Field): string | undefined {
  return field.component(1).trim() || undefined;
}

/** The whole field, components kept (for free text that may carry `^`). */
export function fieldText(field: Hl7v2Field): string | undefined {
  return field.value().trim() || undefined;
}

/** EI → Identifier (IG EI[Identifier]): EI.1 value, EI.2-4 assigning authority. */
export function eiToIdentifier(field: Hl7v2Field): Identifier | undefined {
  const value = field.component(1).trim();
  if (!value) return undefined;
  const system = authoritySystem(field.component(2), field.component(3), field.component(4));
  return { ...(system ? { system } : {}), value };
}

/**
 * XCN → a display-only Reference with the identifier: Sinew does not create Practitioner resources
 * from v2 yet, and a logical reference keeps the source id without inventing one.
 */
export function xcnToReference(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): Reference | undefined {
  const id = field.component(1).trim();
  const name = nameFrom(field, 1, ctx);
  const display = name ? [name.prefix?.join(' '), name.given?.join(' '), name.family].filter(Boolean).join(' ') : '';
  if (!id && !display) return undefined;
  const system = authoritySystem(field.component(9), '', '');
  return { ...(id ? { identifier: { ...(system ? { system } : {}), value: id } } : {}), ...(display ? { display } : {}) };
}

/** PL → Encounter.location entry (display-only Location reference): point of care, room, bed, facility. */
export function plToEncounterLocation(field: Hl7v2Field): { location: Reference; status: 'active' } | undefined {
  const display = plDisplay(field);
  return display ? { location: { display }, status: 'active' } : undefined;
}

/** PV1-6 prior location: kept with status completed so a transfer (A02) shows where the patient came from. */
export function plToPriorLocation(field: Hl7v2Field): { location: Reference; status: 'completed' } | undefined {
  const display = plDisplay(field);
  return display ? { location: { display }, status: 'completed' } : undefined;
}

function plDisplay(field: Hl7v2Field): string {
  const parts = [field.component(4, 1), field.component(1), field.component(2), field.component(3)].map((s) => s.trim());
  return parts.filter(Boolean).join(' ');
}

/** PV1-7 attending doctor → Encounter.participant with type ATND (IG PV1[Encounter] participant[1]). */
export const xcnToAttender = participantOf('ATND', 'attender');
/** PV1-8 referring doctor → participant REF (IG PV1[Encounter] participant[2]). */
export const xcnToReferrer = participantOf('REF', 'referrer');
/** PV1-9 consulting doctor → participant CON (IG PV1[Encounter] participant[3]). */
export const xcnToConsultant = participantOf('CON', 'consultant');
/** PV1-17 admitting doctor → participant ADM (IG PV1[Encounter] participant[5]). */
export const xcnToAdmitter = participantOf('ADM', 'admitter');

function participantOf(code: string, display: string) {
  return (field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): Record<string, unknown> | undefined => {
    const individual = xcnToReference(field, ctx);
    if (!individual) return undefined;
    return { type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code, display }] }], individual };
  };
}

/** OBR-2 placer order number with type PLAC (IG OBR[DiagnosticReport] identifier[1]). */
export function eiToPlacerIdentifier(field: Hl7v2Field): Identifier | undefined {
  return typed(eiToIdentifier(field), 'PLAC', 'Placer Identifier');
}

/** OBR-3 filler order number with type FILL (IG OBR[DiagnosticReport] identifier[2]). */
export function eiToFillerIdentifier(field: Hl7v2Field): Identifier | undefined {
  return typed(eiToIdentifier(field), 'FILL', 'Filler Identifier');
}

function typed(id: Identifier | undefined, code: string, display: string): Identifier | undefined {
  return id && { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code, display }] }, ...id };
}

/** Free text that FHIR wants as a CodeableConcept (AL1-5 reaction): `{ text }`. */
export function stToTextConcept(field: Hl7v2Field): { text: string } | undefined {
  const text = field.component(1).trim();
  return text ? { text } : undefined;
}
