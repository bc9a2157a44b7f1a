import { OperationOutcomeError } from '@medplum/core';
import type { MessageHandler } from './handler-registry.js';
import { isSupportedStructure, validateStructure } from './hl7v2/index.js';

/**
 * The processing step before any FHIR mapping exists: re-check the structure of a stored message
 * (a replay after a fix goes through here too). Mapping handlers replace it per structure.
 */
export function structureOnlyHandler(): MessageHandler {
  return {
    name: 'structure-check',
    structures: '*',
    async process({ message }) {
      const issues = validateStructure(message);
      if (issues.length > 0) {
        throw new OperationOutcomeError({
          resourceType: 'OperationOutcome',
          issue: issues.map((i) => ({ severity: 'error', code: 'structure', details: { text: i.text }, expression: [i.location] })),
        });
      }
    },
  };
}

/** Structures the parser knows how to validate: what intake accepts while only this handler exists. */
export function isKnownStructure(structure: string): boolean {
  return isSupportedStructure(structure);
}
