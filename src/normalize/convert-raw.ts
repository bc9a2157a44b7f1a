import type { Bundle, OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { OperationOutcomeError } from '../fhir/outcomes.js';
import { decodeHl7Bytes, Hl7v2Message, validateStructure } from '../ingest/hl7v2/index.js';
import { type ConvertIssue } from './convert-issue.js';
import { convertMessage, type ConvertContext } from './convert-message.js';
import type { ResourceValidator } from './validate.js';

export type RawConversion =
  | { kind: 'bundle'; bundle: Bundle; warnings: ConvertIssue[] }
  /** Why the message cannot become FHIR, every issue located HL7-style (`PID-3`, `OBX[2]-5`) or by FHIRPath. */
  | { kind: 'outcome'; outcome: OperationOutcome };

const V2_0357 = 'http://terminology.hl7.org/CodeSystem/v2-0357';

/**
 * One message's bytes → the Bundle the pipeline would store, or the OperationOutcome saying why it
 * would be refused: the same steps and checks as intake and worker (decode per MSH-18, parse,
 * structure, mapping, FHIR validation), with nothing stored. For `sinew convert` and the agreement report.
 */
export function convertRawMessage(bytes: Buffer, ctx: ConvertContext, validator: ResourceValidator): RawConversion {
  const { text, charset } = decodeHl7Bytes(bytes);
  let msg: Hl7v2Message;
  try {
    msg = Hl7v2Message.parse(text, { charset });
  } catch (err) {
    if (err instanceof OperationOutcomeError) return { kind: 'outcome', outcome: err.outcome };
    throw err;
  }
  const structural = validateStructure(msg).map((i): ConvertIssue => ({ severity: 'error', code: String(i.code), location: i.location, text: i.text }));
  if (structural.length) return { kind: 'outcome', outcome: toOutcome(structural) };
  const { bundle, issues } = convertMessage(msg, ctx);
  const errors = [...issues.filter((i) => i.severity === 'error'), ...validator.validateBundle(bundle)];
  if (errors.length) return { kind: 'outcome', outcome: toOutcome(errors) };
  return { kind: 'bundle', bundle, warnings: issues };
}

/** Conversion issues as FHIR: the HL7 table 0357 code as details.coding, the location as expression. */
export function toOutcome(issues: ConvertIssue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i): OperationOutcomeIssue => ({
      severity: i.severity,
      code: i.code === '200' || i.code === '201' ? 'not-supported' : i.code === '207' ? 'exception' : 'invalid',
      details: { coding: [{ system: V2_0357, code: i.code }], text: i.text },
      expression: [i.location],
    })),
  };
}
