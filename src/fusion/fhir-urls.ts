/**
 * Canonical base for Sinew's own FHIR artefacts. `.example` is a reserved TLD (RFC 2606): a
 * placeholder until the project owns a canonical domain; change it here only.
 */
export const SINEW_CANONICAL = 'https://sinew.example/fhir';

export const EXT = {
  effectiveTime: `${SINEW_CANONICAL}/StructureDefinition/effective-time`,
  availableAt: `${SINEW_CANONICAL}/StructureDefinition/available-at`,
  age: `${SINEW_CANONICAL}/StructureDefinition/age`,
  modality: `${SINEW_CANONICAL}/StructureDefinition/modality`,
  modalityAttribution: `${SINEW_CANONICAL}/StructureDefinition/modality-attribution`,
} as const;

export const IDENTIFIER_SYSTEM = {
  alignedBundle: `${SINEW_CANONICAL}/NamingSystem/aligned-bundle`,
  model: `${SINEW_CANONICAL}/NamingSystem/model`,
  riskAssessment: `${SINEW_CANONICAL}/NamingSystem/risk-assessment`,
} as const;

export const CODE_SYSTEM = {
  modelOutcome: `${SINEW_CANONICAL}/CodeSystem/model-outcome`,
  modality: `${SINEW_CANONICAL}/CodeSystem/modality`,
} as const;

export const ALIGNED_BUNDLE_OPERATION = `${SINEW_CANONICAL}/OperationDefinition/aligned-bundle`;
