import { getSearchParameter } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';

/**
 * The resource types Sinew serves at /fhir: what normalization produces, plus what identity and
 * fusion read. The CapabilityStatement is built from this list, so it lists exactly what works.
 */
export const FHIR_RESOURCE_TYPES = [
  'Patient', 'RelatedPerson', 'Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Device',
  'Encounter', 'Observation', 'DiagnosticReport', 'DocumentReference', 'ImagingStudy', 'ServiceRequest',
  'MedicationRequest', 'MedicationAdministration', 'MedicationDispense', 'MedicationStatement', 'Medication',
  'Immunization', 'Condition', 'AllergyIntolerance', 'Procedure', 'Specimen', 'Appointment', 'Provenance', 'RiskAssessment',
] as const;
export type FhirResourceType = (typeof FHIR_RESOURCE_TYPES)[number];

export function isServedType(type: string): type is FhirResourceType {
  return (FHIR_RESOURCE_TYPES as readonly string[]).includes(type);
}

/** Parameters tried on every type; kept where R4 (or US Core) defines them for that type. */
const COMMON = ['identifier', 'patient', 'subject', 'encounter', 'date', 'code', 'category', 'status', 'type'] as const;
const EXTRA: Readonly<Record<string, readonly string[]>> = {
  Patient: ['name', 'family', 'given', 'birthdate', 'gender', 'link', 'active'],
  RelatedPerson: ['name', 'birthdate', 'gender'],
  Practitioner: ['name', 'family', 'given'],
  Organization: ['name'],
  Location: ['name'],
  Encounter: ['class'],
  Condition: ['clinical-status', 'verification-status', 'onset-date', 'recorded-date'],
  ImagingStudy: ['started', 'modality'],
  ServiceRequest: ['intent', 'authored'],
  MedicationRequest: ['intent', 'authoredon'],
  Provenance: ['target', 'recorded'],
};

/** Search parameter kinds the index stores; number, quantity, uri and composite are not indexed. */
export const INDEXED_KINDS = ['token', 'string', 'reference', 'date'] as const;
export type IndexedKind = (typeof INDEXED_KINDS)[number];

export interface SupportedParam {
  code: string;
  kind: IndexedKind;
  definition: SearchParameter;
}

/** Resource-level parameters answered from the resource table itself, not from search rows. */
export const RESOURCE_PARAMS = ['_id', '_lastUpdated'] as const;

/** The indexed search parameters of a type, from medplum's SearchParameter registry. */
export function searchParamsFor(type: string): SupportedParam[] {
  const out: SupportedParam[] = [];
  for (const code of [...COMMON, ...(EXTRA[type] ?? [])]) {
    const p = supportedParam(type, code);
    if (p) out.push(p);
  }
  return out;
}

export function supportedParam(type: string, code: string): SupportedParam | undefined {
  if (!isServedType(type)) return undefined;
  if (!(COMMON as readonly string[]).includes(code) && !(EXTRA[type] ?? []).includes(code)) return undefined;
  const definition = getSearchParameter(type, code);
  const kind = definition?.type as IndexedKind | undefined;
  if (!definition || !kind || !(INDEXED_KINDS as readonly string[]).includes(kind)) return undefined;
  return { code, kind, definition };
}
