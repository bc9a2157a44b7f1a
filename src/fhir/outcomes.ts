import { OperationOutcomeError, badRequest, normalizeOperationOutcome } from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/**
 * The one error type of Sinew: a FHIR OperationOutcome carried as an exception. Transports turn it
 * into an HTTP status + OperationOutcome body or an HL7 ACK with ERR segments, each in one place.
 * See: https://hl7.org/fhir/R4/operationoutcome.html
 */
export { OperationOutcomeError, badRequest, normalizeOperationOutcome };

/** An `invalid` issue that names where in the input the problem is (FHIRPath or HL7 location). */
export function invalidIssue(text: string, location?: string): OperationOutcomeIssue {
  return {
    severity: 'error',
    code: 'invalid',
    details: { text },
    ...(location ? { expression: [location] } : {}),
  };
}

/** Collect every issue, then fail once (STYLE.md pattern 5). */
export function throwIfIssues(issues: OperationOutcomeIssue[]): void {
  if (issues.length > 0) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
  }
}

export function outcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** One line for logs and CLI output: `text (location); text (location)`. */
export function outcomeToLine(o: OperationOutcome): string {
  return (o.issue ?? [])
    .map((i) => `${i.details?.text ?? i.diagnostics ?? i.code}${i.expression?.length ? ` (${i.expression.join(', ')})` : ''}`)
    .join('; ');
}
