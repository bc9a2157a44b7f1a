import { getElementDefinition } from '@medplum/core';

/**
 * Whether a mapping path (`period.start`, `identifier[]`, `deceasedDateTime`) names R4 elements of
 * `resourceType`, walking through the R4 type schemas (backbone elements are named types, e.g.
 * EncounterHospitalization). Needs the R4 definitions indexed (loadFhirDefinitions).
 */
export function elementExists(resourceType: string, path: string): boolean {
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
