import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { OperationOutcomeError } from '../fhir/outcomes.js';

/**
 * The one place an error becomes an HTTP answer (STYLE.md pattern 4): status from the first
 * issue's code, body an OperationOutcome. Unknown errors answer 500 with no internals.
 * See: https://hl7.org/fhir/R4/http.html#Status-Codes
 */
const STATUS_BY_CODE: Record<string, number> = {
  invalid: 400,
  structure: 400,
  required: 400,
  value: 400,
  invariant: 400,
  'not-supported': 400,
  security: 401,
  login: 401,
  unknown: 401,
  expired: 401,
  forbidden: 403,
  suppressed: 403,
  'not-found': 404,
  deleted: 410,
  conflict: 409,
  duplicate: 409,
  'too-long': 413,
  'too-costly': 422,
  'business-rule': 422,
  processing: 422,
  timeout: 503,
  transient: 503,
  throttled: 429,
};

export function statusOf(outcome: OperationOutcome): number {
  const code = outcome.issue?.[0]?.code;
  return (code && STATUS_BY_CODE[code]) || 500;
}

export function issue(code: OperationOutcomeIssue['code'], text: string, expression?: string): OperationOutcomeIssue {
  return { severity: code === 'informational' ? 'information' : 'error', code, details: { text }, ...(expression ? { expression: [expression] } : {}) };
}

/** Throw from any handler: `throw httpError('not-found', 'no message 42')`. */
export function httpError(code: OperationOutcomeIssue['code'], text: string, expression?: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [issue(code, text, expression)] });
}

export function sendOutcome(res: Response, status: number, outcome: OperationOutcome): void {
  res.status(status).type('application/fhir+json').json(outcome);
}

/** Unknown routes: 404 with an OperationOutcome naming the method and path (never the query string). */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendOutcome(res, 404, { resourceType: 'OperationOutcome', issue: [issue('not-found', `no route for ${req.method} ${req.path}`)] });
};

/** Body-parser errors carry `status` and `type`; these are the caller's fault, not ours. */
interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

export function outcomeErrorHandler(log: (err: unknown, status: number) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof OperationOutcomeError) {
      const status = statusOf(err.outcome);
      if (status >= 500) log(err, status);
      return sendOutcome(res, status, err.outcome);
    }
    const e = (err ?? {}) as HttpishError;
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500 && e.expose !== false) {
      const text = BODY_ERRORS[e.type ?? ''] ?? 'invalid request';
      const code = status === 413 ? 'too-long' : status === 415 ? 'not-supported' : 'invalid';
      return sendOutcome(res, status, { resourceType: 'OperationOutcome', issue: [issue(code, text)] });
    }
    log(err, 500);
    sendOutcome(res, 500, { resourceType: 'OperationOutcome', issue: [issue('exception', 'internal server error')] });
  };
}

const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'request body is not valid JSON',
  'entity.too.large': 'request body is larger than the maximum allowed',
  'encoding.unsupported': 'request body has an unsupported content encoding',
  'charset.unsupported': 'request body has an unsupported charset',
  'request.aborted': 'request was aborted',
  'request.size.invalid': 'request body size does not match Content-Length',
};
