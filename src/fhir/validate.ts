import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { codedValueSchemas, idOnlySchema } from './coded-values.js';
import { loadFhirDefinitions } from './fhir-definitions.js';

export interface FhirValidator {
  /** Every error of one resource, each with its FHIRPath expression; empty when valid. */
  issues(resource: Resource): OperationOutcomeIssue[];
  /** Throws one OperationOutcomeError carrying every issue (STYLE.md pattern 5). */
  validate(resource: Resource): void;
}

/**
 * FHIR R4 structure (medplum's validateResource: cardinality, types, formats, unknown elements) plus
 * the coded values and id format medplum leaves unchecked (coded-values.ts).
 * See: https://hl7.org/fhir/R4/validation.html
 */
export function createValidator(): FhirValidator {
  loadFhirDefinitions();
  const issues = (resource: Resource): OperationOutcomeIssue[] => {
    const out: OperationOutcomeIssue[] = [];
    try {
      validateResource(resource);
    } catch (err) {
      if (!(err instanceof OperationOutcomeError)) {
        out.push(invalid((err as Error).message, resource.resourceType));
      } else {
        for (const i of err.outcome.issue ?? []) if (i.severity === 'error' || i.severity === 'fatal') out.push({ ...i, severity: 'error' });
      }
    }
    if (!resource || typeof resource !== 'object' || typeof resource.resourceType !== 'string') return out;
    const schema = codedValueSchemas[resource.resourceType] ?? idOnlySchema;
    const parsed = schema.safeParse(resource);
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        const where = fhirPath(resource.resourceType, i.path);
        out.push(invalid(`${where}: ${i.message}`, where, i.code === 'invalid_value' ? 'value' : 'invalid'));
      }
    }
    return out;
  };
  return {
    issues,
    validate(resource) {
      const found = issues(resource);
      if (found.length) throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: found });
    },
  };
}

function invalid(text: string, expression: string, code: OperationOutcomeIssue['code'] = 'invalid'): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [expression] };
}

/** zod path → FHIRPath: `['link', 0, 'type']` → `Patient.link[0].type`. */
function fhirPath(type: string, path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), type);
}
