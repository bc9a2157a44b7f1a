import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { createValidator as createFhirValidator } from '../fhir/validate.js';
import { ERROR_CODES, type ConvertIssue } from './convert-issue.js';
import { elementExists } from './element-paths.js';

export interface ResourceValidator {
  /** Issues for one resource; empty when it is valid R4 with valid coded values. */
  validate(resource: Resource): ConvertIssue[];
  /** Every resource of a bundle's entries. */
  validateBundle(bundle: Bundle): ConvertIssue[];
  /** Whether a mapping path (`period.start`, `identifier[]`, `value[x]`) names R4 elements; for loadMappings. */
  elementExists(resourceType: string, path: string): boolean;
}

/**
 * Sinew's one FHIR validator (src/fhir/validate.ts, which also guards the resource store), with its
 * issues located the way conversion issues are (`Patient/p1: Patient.gender`), so a converted
 * message is checked exactly as the store will check it. Loads the R4 definitions once per process.
 */
export function createValidator(): ResourceValidator {
  const fhir = createFhirValidator();
  const validate = (resource: Resource): ConvertIssue[] => {
    const where = `${resource.resourceType}/${resource.id ?? '?'}`;
    return fhir.issues(resource).map((i) => toConvertIssue(i, where));
  };
  return {
    validate,
    elementExists,
    validateBundle: (bundle) => (bundle.entry ?? []).flatMap((e) => (e.resource ? validate(e.resource) : [])),
  };
}

/** A bad coded value is HL7 "table value not found"; anything else structural is reported as internal (the mapping made it). */
function toConvertIssue(i: OperationOutcomeIssue, where: string): ConvertIssue {
  return {
    severity: 'error',
    code: i.code === 'value' ? ERROR_CODES.tableValueNotFound : ERROR_CODES.internal,
    location: `${where}: ${i.expression?.join(', ') ?? ''}`,
    text: i.details?.text ?? i.diagnostics ?? 'invalid',
  };
}
