import type { Request, Response } from 'express';
import { grantingScopes, hasScope, isAdmin, type Interaction } from '../../auth/scopes.js';
import { claimsOf } from '../auth-middleware.js';
import { httpError } from '../outcome-middleware.js';

export interface Access {
  /** `Patient/123` when only patient-context scopes grant the interaction: results are confined to it. */
  compartment?: string;
}

/**
 * SMART v2 scope check for one type and interaction (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
 * 403 without a granting scope. No claims means `--auth off` (the app's bearer check runs first).
 */
export function requireAccess(res: Response, type: string, interaction: Interaction): Access {
  const claims = claimsOf(res);
  if (!claims || isAdmin(claims)) return {};
  if (!hasScope(claims, { type, interaction })) {
    throw httpError('forbidden', `token lacks a scope for ${type}.${interaction}, e.g. system/${type}.${interaction}`);
  }
  const granting = grantingScopes(claims, { type, interaction });
  if (granting.some((s) => s.context !== 'patient')) return {};
  if (!claims.patient) throw httpError('forbidden', 'patient-context scope without a patient in the token');
  return { compartment: `Patient/${claims.patient}` };
}

/** Can the caller do this? For filtering mixed results such as `$everything`. */
export function mayAccess(res: Response, type: string, interaction: Interaction): boolean {
  const claims = claimsOf(res);
  return !claims || hasScope(claims, { type, interaction });
}

/** The FHIR base URL clients used: configured, else from the request (`http://host/fhir`). */
export function fhirBase(req: Request, configured?: string): string {
  return (configured ?? `${req.protocol}://${req.get('host')}${req.baseUrl}`).replace(/\/+$/, '');
}

/** `Prefer: handling=lenient` (R4 search.html#errors). */
export function isLenient(req: Request): boolean {
  return /(^|[,;\s])handling\s*=\s*lenient\b/i.test(req.get('prefer') ?? '');
}
