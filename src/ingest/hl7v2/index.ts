/** HL7v2 parsing: bytes → text → messages → model, escapes, dates and structural validation. */
export { decodeHl7Bytes, peekMsh18, type DecodedHl7 } from './decode.js';
export { hl7CharsetToEncoding, decodeWith } from './charsets.js';
export { splitMessages, type SplitResult } from './batch.js';
export { unescapeHl7, escapeHl7 } from './escapes.js';
export { DEFAULT_ENCODING, type EncodingCharacters } from './encoding-characters.js';
export { Hl7v2Message, type MessageType } from './message.js';
export { Hl7v2Segment } from './segment.js';
export { Hl7v2Field } from './field.js';
export { parseHl7Path, type Hl7Path } from './path.js';
export {
  hl7ToFhirDateTime,
  hl7ToFhirDate,
  formatHl7DateTime,
  DATE_TIME_PRECISIONS,
  type DateTimePrecision,
  type FhirDateTime,
} from './dates.js';
export { validateStructure, supportedStructure, isSupportedStructure, ERROR_CODES, type StructureIssue } from './structure.js';
