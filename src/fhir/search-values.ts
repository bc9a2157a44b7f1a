import { evalFhirPathTyped, getSearchParameterDetails, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { dateRange } from './date-range.js';
import { searchParamsFor, type IndexedKind } from './search-parameters.js';

/** One search value of a resource, as stored in `fhir_search` (less the resource's type and id). */
export interface SearchValue {
  code: string;
  system: string | null;
  value: string | null;
  norm: string | null;
  date_start: Date | null;
  date_end: Date | null;
}

/** Hidden parameter: every `Patient/…` reference anywhere in the resource (`$everything`, patient scopes). */
export const COMPARTMENT_CODE = '_compartment';

const MIN_DATE = new Date('0001-01-01T00:00:00Z');
const MAX_DATE = new Date('9999-12-31T23:59:59.999Z');
const EMPTY = { system: null, value: null, norm: null, date_start: null, date_end: null };

/**
 * Search values of a resource, from each SearchParameter's FHIRPath expression evaluated by medplum
 * (the definitions must be loaded). See: https://hl7.org/fhir/R4/search.html#ptypes
 */
export function extractSearchValues(resource: Resource): SearchValue[] {
  const out: SearchValue[] = [];
  const root = [toTypedValue(resource)];
  for (const p of searchParamsFor(resource.resourceType)) {
    const details = getSearchParameterDetails(resource.resourceType, p.definition);
    for (const tv of evalFhirPathTyped(details.parsedExpression, root)) out.push(...toValues(p.code, p.kind, tv));
  }
  for (const ref of patientReferences(resource)) out.push({ ...EMPTY, code: COMPARTMENT_CODE, value: ref });
  return dedupe(out);
}

function toValues(code: string, kind: IndexedKind, tv: TypedValue): SearchValue[] {
  const v = tv.value as Record<string, unknown> | string | number | boolean | undefined;
  if (v === undefined || v === null) return [];
  switch (kind) {
    case 'token':
      return tokens(tv).map(([system, value]) => ({ ...EMPTY, code, system, value }));
    case 'string':
      return strings(tv).map((s) => ({ ...EMPTY, code, value: s, norm: normalizeString(s) }));
    case 'reference': {
      const ref = typeof v === 'string' ? v : typeof v === 'object' && typeof v.reference === 'string' ? v.reference : undefined;
      return ref ? [{ ...EMPTY, code, value: normalizeReference(ref) }] : [];
    }
    case 'date':
      return dates(tv).map((r) => ({ ...EMPTY, code, date_start: r.start, date_end: r.end }));
  }
}

function tokens(tv: TypedValue): Array<[string | null, string]> {
  const v = tv.value as Record<string, unknown>;
  if (typeof v !== 'object') return [[null, String(v)]];
  const codings = tv.type === 'CodeableConcept' ? ((v.coding as Record<string, unknown>[] | undefined) ?? []) : [v];
  const out: Array<[string | null, string]> = [];
  for (const c of codings) {
    const value = c.code ?? c.value; // Coding.code, Identifier.value, ContactPoint.value
    if (typeof value === 'string') out.push([typeof c.system === 'string' ? c.system : null, value]);
  }
  return out;
}

const NAME_PARTS = ['family', 'given', 'prefix', 'suffix', 'text', 'line', 'city', 'district', 'state', 'postalCode', 'country'];

function strings(tv: TypedValue): string[] {
  const v = tv.value;
  if (typeof v === 'string') return [v];
  if (typeof v !== 'object' || v === null) return [];
  // HumanName and Address: every part is searchable on its own (R4 search.html#string).
  return NAME_PARTS.flatMap((k) => {
    const part = (v as Record<string, unknown>)[k];
    return Array.isArray(part) ? part.filter((x): x is string => typeof x === 'string') : typeof part === 'string' ? [part] : [];
  });
}

function dates(tv: TypedValue): Array<{ start: Date; end: Date }> {
  const v = tv.value;
  if (typeof v === 'string') {
    const r = dateRange(v);
    return r ? [r] : [];
  }
  if (typeof v !== 'object' || v === null) return [];
  const o = v as Record<string, unknown>;
  if (tv.type === 'Period' || 'start' in o || 'end' in o) {
    // An open end is unbounded (R4 datatypes.html#Period): the widest dates both engines store.
    const start = typeof o.start === 'string' ? dateRange(o.start)?.start : undefined;
    const end = typeof o.end === 'string' ? dateRange(o.end)?.end : undefined;
    if (!start && !end) return [];
    return [{ start: start ?? MIN_DATE, end: end ?? MAX_DATE }];
  }
  if (Array.isArray(o.event)) return o.event.flatMap((e) => (typeof e === 'string' ? [dateRange(e)].filter((r) => !!r) : [])) as Array<{ start: Date; end: Date }>;
  return [];
}

/** Lower case without diacritics: FHIR string search ignores both. */
export function normalizeString(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const RELATIVE = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** `http://host/fhir/Patient/1/_history/2` → `Patient/1`; anything else unchanged (urn:uuid, contained `#x`). */
export function normalizeReference(ref: string): string {
  return RELATIVE.exec(ref)?.[1] ?? ref;
}

/** Every `Patient/…` a resource points at, anywhere in it (its own id excluded for a Patient). */
export function patientReferences(resource: Resource): string[] {
  const found = new Set<string>();
  const walk = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) for (const x of node) walk(x, key);
    else if (node && typeof node === 'object') for (const [k, x] of Object.entries(node)) walk(x, k);
    else if (key === 'reference' && typeof node === 'string') {
      const ref = normalizeReference(node);
      if (ref.startsWith('Patient/')) found.add(ref);
    }
  };
  walk(resource);
  if (resource.resourceType === 'Patient') found.delete(`Patient/${resource.id}`);
  return [...found];
}

function dedupe(values: SearchValue[]): SearchValue[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = `${v.code}\u0000${v.system}\u0000${v.value}\u0000${v.date_start?.getTime()}\u0000${v.date_end?.getTime()}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
