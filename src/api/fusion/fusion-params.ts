import type { Request } from 'express';
import type { OperationOutcomeIssue, Parameters } from '@medplum/fhirtypes';
import { throwIfIssues } from '../../fhir/outcomes.js';

export interface OperationInput {
  indexTime?: string;
  asOf?: string;
  spec?: string;
  modalities?: string[];
  model?: string;
}

const SINGLE = { 'index-time': 'indexTime', 'as-of': 'asOf', spec: 'spec', model: 'model' } as const;
const KNOWN = new Set([...Object.keys(SINGLE), 'modality', '_format', '_pretty']);

function issue(text: string, expression: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'invalid', details: { text }, expression: [expression] };
}

/** A query string decodes `+` as a space: restore a time-zone offset sent unescaped (`…12:00:00+01:00`). */
function restorePlus(v: string): string {
  return v.replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$/, '$1+$2');
}

/** GET query parameters (and POST Parameters, below) into one shape; every problem at once. */
export function operationInputFromQuery(req: Request): OperationInput {
  const out: OperationInput = {};
  const issues: OperationOutcomeIssue[] = [];
  for (const [name, raw] of Object.entries(req.query as Record<string, unknown>)) {
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    if (!KNOWN.has(name)) {
      issues.push(issue(`unknown parameter "${name}"`, name));
      continue;
    }
    if (name === 'modality') {
      out.modalities = [...(out.modalities ?? []), ...values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)];
      continue;
    }
    if (name.startsWith('_')) continue;
    if (values.length !== 1) {
      issues.push(issue(`parameter ${name} given more than once`, name));
      continue;
    }
    out[SINGLE[name as keyof typeof SINGLE]] = restorePlus(values[0] as string);
  }
  throwIfIssues(issues);
  return out;
}

/** A `Parameters` body (POST), per the OperationDefinition's input parameters. */
export function operationInputFromBody(body: unknown): OperationInput {
  const p = body as Parameters | undefined;
  if (!p || p.resourceType !== 'Parameters') throwIfIssues([issue('the body must be a Parameters resource', 'Parameters')]);
  const out: OperationInput = {};
  const issues: OperationOutcomeIssue[] = [];
  const seen = new Set<string>();
  for (const param of (p as Parameters).parameter ?? []) {
    const name = param.name ?? '';
    const value = param.valueDateTime ?? param.valueInstant ?? param.valueString ?? param.valueCode;
    if (!KNOWN.has(name)) issues.push(issue(`unknown parameter "${name}"`, `Parameters.parameter.where(name='${name}')`));
    else if (typeof value !== 'string') issues.push(issue(`parameter ${name} needs a value[x] of a string type`, name));
    else if (name === 'modality') out.modalities = [...(out.modalities ?? []), value];
    else if (seen.has(name)) issues.push(issue(`parameter ${name} given more than once`, name));
    else if (!name.startsWith('_')) {
      seen.add(name);
      out[SINGLE[name as keyof typeof SINGLE]] = value;
    }
  }
  throwIfIssues(issues);
  return out;
}
