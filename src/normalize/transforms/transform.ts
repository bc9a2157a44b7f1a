import type { Hl7v2Field, Hl7v2Message, Hl7v2Segment } from '../../ingest/hl7v2/index.js';
import type { IssueSeverity } from '../convert-issue.js';
import type { Vocabulary } from '../mapping-schema.js';

/** What a named transform sees besides the field: where it is, the zone, the vocabularies. */
export interface TransformContext {
  readonly message: Hl7v2Message;
  readonly segment: Hl7v2Segment;
  /** HL7 location of the field (repetition), e.g. `OBX[3]-5` or `PID-3[2]`. */
  readonly location: string;
  /** IANA zone for times without an offset: the sending facility's, else the default. */
  readonly zone: string;
  /** The vocabulary the field map names, if any. */
  readonly vocabulary?: Vocabulary;
  readonly vocabularies: ReadonlyMap<string, Vocabulary>;
  issue(severity: IssueSeverity, code: string, text: string, location?: string): void;
}

/** A named transform: one HL7 field (one repetition) → a FHIR value, or undefined when empty. */
export type Transform = (field: Hl7v2Field, ctx: TransformContext) => unknown;
