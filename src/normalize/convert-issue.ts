/** HL7 table 0357 (message error condition codes) values the converter uses in ConvertIssue.code. */
export const ERROR_CODES = {
  segmentSequence: '100',
  requiredFieldMissing: '101',
  dataType: '102',
  tableValueNotFound: '103',
  unsupportedMessageType: '200',
  internal: '207',
} as const;

export const ISSUE_SEVERITIES = ['error', 'warning', 'information'] as const;
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];

/**
 * One problem found while converting, located HL7-style (`OBX[3]-5`, `PID-3[2]`) or, for output
 * validation, as `Observation/<id>: <FHIRPath>`. Callers turn these into ERR segments or an
 * OperationOutcome.
 */
export interface ConvertIssue {
  severity: IssueSeverity;
  /** HL7 table 0357. */
  code: string;
  location: string;
  text: string;
}
