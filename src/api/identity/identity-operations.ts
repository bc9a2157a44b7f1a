/** The identity operations Sinew serves, for the CapabilityStatement (STYLE.md pattern 13). */
export interface IdentityOperation {
  name: string;
  /** Canonical of the OperationDefinition (the standard one where one exists). */
  definition: string;
  resourceType: 'Patient';
  method: 'GET' | 'POST';
  /** Local copy under profiles/identity/, when Sinew ships one. */
  file?: string;
}

export const IDENTITY_OPERATIONS: readonly IdentityOperation[] = Object.freeze([
  { name: 'match', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match', resourceType: 'Patient', method: 'POST' },
  {
    name: 'ihe-pix',
    definition: 'https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix',
    resourceType: 'Patient',
    method: 'GET',
    file: 'profiles/identity/OperationDefinition-Patient-ihe-pix.json',
  },
  { name: 'merge', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-merge', resourceType: 'Patient', method: 'POST', file: 'profiles/identity/OperationDefinition-Patient-merge.json' },
]);

export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
