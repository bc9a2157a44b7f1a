/** HL7v2 → FHIR R4 normalization: mapping files + named transforms + validation. */
export { convertMessage, type ConvertContext, type ConvertResult } from './convert-message.js';
export { ERROR_CODES, type ConvertIssue, type IssueSeverity } from './convert-issue.js';
export { loadMappings, type LoadedMappings } from './load-mappings.js';
export { createValidator, type ResourceValidator } from './validate.js';
export { deterministicId } from './resource-ids.js';
export { CONTEXT_TAG, MERGE_TAG } from './entry-roles.js';
export { transforms, type Transform, type TransformContext } from './transforms/index.js';
