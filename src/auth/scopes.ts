/**
 * SMART App Launch 2 scopes: `<patient|user|system>/<Type|*>.<cruds>[?param=value]`, with the v1
 * forms `.read`, `.write` and `.*` mapped to their v2 equivalents.
 * See: https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 */

export const SCOPE_CONTEXTS = ['patient', 'user', 'system'] as const;
export type ScopeContext = (typeof SCOPE_CONTEXTS)[number];

/** v2 permission letters, in the order the specification requires them to appear. */
export const INTERACTIONS = ['c', 'r', 'u', 'd', 's'] as const;
export type Interaction = (typeof INTERACTIONS)[number];

/**
 * Sinew's own scope for operator routes (`/admin`, and everything else). Not a SMART scope, so it
 * lives in its own namespace where no SMART client would ask for it by accident.
 */
export const ADMIN_SCOPE = 'sinew/admin';

/** What `sinew token` without `--scope` grants: every interaction on every type, plus the operator routes. */
export const LOCAL_ADMIN_SCOPE = `system/*.cruds ${ADMIN_SCOPE}`;

export interface ResourceScope {
  context: ScopeContext;
  /** A FHIR resource type, or `*`. */
  type: string;
  interactions: ReadonlySet<Interaction>;
  /** Granular restriction (`?category=…`): the scope covers only resources matching it. */
  constraints: ReadonlyArray<readonly [string, string]>;
  /** The scope as written. */
  source: string;
}

export interface ParsedScopes {
  resources: ResourceScope[];
  /** `openid`, `fhirUser`, `launch/patient`, `offline_access`, `sinew/admin`, … */
  others: string[];
}

const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };
const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]*)\.([^?]+)(?:\?(.*))?$/;

/** Parse one resource scope; undefined when it is not one (e.g. `openid`). Throws on a malformed one. */
export function parseResourceScope(scope: string): ResourceScope | undefined {
  if (!/^(patient|user|system)\//.test(scope)) return undefined;
  const m = RESOURCE_SCOPE.exec(scope);
  if (!m) throw new ScopeError(`malformed scope "${scope}": expected <patient|user|system>/<Type|*>.<cruds>`);
  const [, context, type, perms, query] = m as unknown as [string, ScopeContext, string, string, string | undefined];
  const letters = V1[perms] ?? perms;
  if (!isOrderedSubset(letters)) {
    throw new ScopeError(`malformed scope "${scope}": permissions must be some of c, r, u, d, s in that order, or read, write, *`);
  }
  const constraints = query ? [...new URLSearchParams(query)].map(([k, v]) => [k, v] as const) : [];
  return { context, type, interactions: new Set(letters.split('') as Interaction[]), constraints, source: scope };
}

function isOrderedSubset(letters: string): boolean {
  if (!letters) return false;
  let at = -1;
  for (const ch of letters) {
    const i = INTERACTIONS.indexOf(ch as Interaction);
    if (i <= at) return false;
    at = i;
  }
  return true;
}

/** Parse a space-separated scope string, collecting every malformed scope before failing once. */
export function parseScopes(scope: string | undefined): ParsedScopes {
  const out: ParsedScopes = { resources: [], others: [] };
  const bad: string[] = [];
  for (const s of (scope ?? '').split(/\s+/).filter(Boolean)) {
    try {
      const r = parseResourceScope(s);
      if (r) out.resources.push(r);
      else out.others.push(s);
    } catch (err) {
      bad.push((err as Error).message);
    }
  }
  if (bad.length) throw new ScopeError(bad.join('; '));
  return out;
}

export class ScopeError extends Error {
  override name = 'ScopeError';
}

export interface ScopeRequest {
  /** Resource type, or `*` to require a wildcard scope. */
  type: string;
  interaction: Interaction;
  /** Contexts that may grant it; default all three. `/hl7v2` admits only `system`. */
  contexts?: readonly ScopeContext[];
  /** Accept granular (`?param=`) scopes: the caller then applies their filters (see `grantingScopes`). */
  allowConstrained?: boolean;
}

/** Anything carrying a `scope` claim: verified token claims. */
export interface ScopeHolder {
  scope?: unknown;
}

export function isAdmin(claims: ScopeHolder | undefined): boolean {
  return typeof claims?.scope === 'string' && claims.scope.split(/\s+/).includes(ADMIN_SCOPE);
}

/** The scopes of `claims` that grant `req`. A malformed scope grants nothing (the token was minted elsewhere). */
export function grantingScopes(claims: ScopeHolder | undefined, req: ScopeRequest): ResourceScope[] {
  if (typeof claims?.scope !== 'string') return [];
  const contexts = req.contexts ?? SCOPE_CONTEXTS;
  const granted: ResourceScope[] = [];
  for (const s of claims.scope.split(/\s+/).filter(Boolean)) {
    let r: ResourceScope | undefined;
    try {
      r = parseResourceScope(s);
    } catch {
      continue;
    }
    if (!r || !contexts.includes(r.context) || !r.interactions.has(req.interaction)) continue;
    if (r.type !== '*' && r.type !== req.type) continue;
    if (r.constraints.length && !req.allowConstrained) continue;
    granted.push(r);
  }
  return granted;
}

/**
 * Does the token allow this interaction? The admin scope allows everything. Patient-context scopes
 * count here; confining them to the token's `patient` is the FHIR router's job.
 */
export function hasScope(claims: ScopeHolder | undefined, req: ScopeRequest): boolean {
  return isAdmin(claims) || grantingScopes(claims, req).length > 0;
}

/** `POST /hl7v2` creates data for any patient: a system-level create on every type (or admin). */
export function canIngestHl7v2(claims: ScopeHolder | undefined): boolean {
  return hasScope(claims, { type: '*', interaction: 'c', contexts: ['system'] });
}

/** Every scope string Sinew understands, for `scopes_supported` in the SMART configuration. */
export const SUPPORTED_SCOPES: readonly string[] = [
  'system/*.cruds',
  'system/*.rs',
  'system/*.c',
  'user/*.rs',
  'patient/*.rs',
  ADMIN_SCOPE,
];
