import { randomUUID } from 'node:crypto';
import type { BundleEntry, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { normalizeOperationOutcome, OperationOutcomeError } from '../fhir/outcomes.js';
import { isServedType } from '../fhir/search-parameters.js';

export const ENTRY_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type EntryMethod = (typeof ENTRY_METHODS)[number];

/** One Bundle entry turned into a store action, with the id it will have. */
export interface PlannedEntry {
  index: number;
  method: EntryMethod;
  type: string;
  id: string;
  resource?: Resource;
}

/**
 * Who names a POSTed resource. `server`: the API assigns a new id (R4 http.html#create). `sender`:
 * a backfill (file, pull) keeps the id it carries, or the uuid of its `urn:uuid:` fullUrl, so that
 * importing the same file again finds the same resources (duplicates, not copies).
 */
export type IdPolicy = 'server' | 'sender';

/**
 * Reads one entry. An entry without `request` (a collection or searchset, a lone resource, NDJSON)
 * is an update-as-create of the resource it holds; searchset `outcome` entries are not data and
 * are skipped. Throws an OperationOutcomeError naming `Bundle.entry[index]`.
 */
export function planEntry(e: BundleEntry, index: number, ids: IdPolicy): PlannedEntry | 'skip' {
  if (e.search?.mode === 'outcome') return 'skip';
  const fail = (text: string, where = 'request'): never => {
    throw entryError(index, [{ severity: 'error', code: 'invalid', details: { text }, expression: [`Bundle.entry[${index}].${where}`] }]);
  };
  if (!e.request) {
    if (ids === 'server') return fail('an entry of a transaction or batch needs request.method and request.url');
    const resource = e.resource;
    if (!resource || typeof resource.resourceType !== 'string') return fail('the entry has no resource', 'resource');
    if (!isServedType(resource.resourceType)) return fail(`resourceType ${resource.resourceType} is not a supported resource type`, 'resource.resourceType');
    const id = resource.id ?? uuidOf(e.fullUrl) ?? randomUUID();
    return { index, method: 'PUT', type: resource.resourceType, id, resource: { ...resource, id } as Resource };
  }
  const method = e.request.method;
  const url = (e.request.url ?? '').replace(/^\/+/, '').split('?')[0] ?? '';
  const [type = '', id, ...rest] = url.split('/');
  if (!(ENTRY_METHODS as readonly string[]).includes(method ?? '')) return fail(`unsupported request.method ${method ?? '(none)'}`);
  const m = method as EntryMethod;
  if (!isServedType(type)) return fail(`request.url "${e.request.url ?? ''}" does not name a supported resource type`);
  if (rest.length || (m !== 'POST' && !id) || (m === 'POST' && id)) return fail(`request.url "${e.request.url ?? ''}" does not fit ${m}`);
  if (m === 'GET' || m === 'DELETE') return { index, method: m, type, id: id as string };
  const resource = e.resource;
  if (!resource) return fail(`${m} needs a resource`, 'resource');
  if (resource.resourceType !== type) return fail(`resource is a ${resource.resourceType}, request.url says ${type}`, 'resource');
  if (m === 'PUT' && resource.id !== undefined && resource.id !== id) return fail(`resource.id ${resource.id} differs from request.url`, 'resource.id');
  const newId = m === 'PUT' ? (id as string) : ids === 'server' ? randomUUID() : (resource.id ?? uuidOf(e.fullUrl) ?? randomUUID());
  return { index, method: m, type, id: newId, resource: { ...resource, id: newId } as Resource };
}

/** `fullUrl` → `Type/id` of every entry that writes, for rewriting references between entries. */
export function referenceMap(entries: readonly BundleEntry[], planned: readonly (PlannedEntry | 'skip' | undefined)[]): Map<string, string> {
  const refs = new Map<string, string>();
  entries.forEach((e, i) => {
    const p = planned[i];
    if (e.fullUrl && p && p !== 'skip' && p.resource) refs.set(e.fullUrl, `${p.type}/${p.id}`);
  });
  return refs;
}

/** Rewrite `urn:uuid:` (and other fullUrl) references to `Type/id`; an unresolved urn is an error. */
export function rewriteReferences(resource: Resource, refs: ReadonlyMap<string, string>, index: number): Resource {
  if (refs.size === 0 && !JSON.stringify(resource).includes('"urn:')) return resource;
  const unresolved: string[] = [];
  const walk = (node: unknown, key?: string): unknown => {
    if (Array.isArray(node)) return node.map((x) => walk(x, key));
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k)]));
    if (key === 'reference' && typeof node === 'string') {
      const to = refs.get(node);
      if (to) return to;
      if (node.startsWith('urn:uuid:') || node.startsWith('urn:oid:')) unresolved.push(node);
    }
    return node;
  };
  const out = walk(resource) as Resource;
  if (unresolved.length) {
    throw entryError(
      index,
      unresolved.map((u) => ({ severity: 'error', code: 'invalid', details: { text: `reference ${u} matches no entry's fullUrl` }, expression: [`Bundle.entry[${index}].resource`] })),
    );
  }
  return out;
}

/** Name the entry in every issue (text and FHIRPath), so the sender knows which one failed. */
export function atEntry(err: unknown, index: number): OperationOutcomeError {
  const outcome: OperationOutcome = err instanceof OperationOutcomeError ? err.outcome : normalizeOperationOutcome(err);
  if ((outcome.issue ?? []).every((i) => i.details?.text?.startsWith(`Bundle.entry[${index}]`))) return new OperationOutcomeError(outcome);
  return entryError(
    index,
    (outcome.issue ?? []).map((i) => ({
      ...i,
      details: { text: `Bundle.entry[${index}]: ${i.details?.text ?? i.diagnostics ?? i.code}` },
      expression: (i.expression?.length ? i.expression : ['']).map((x) => `Bundle.entry[${index}].resource${x.includes('.') ? x.slice(x.indexOf('.')) : ''}`),
    })),
  );
}

function entryError(index: number, issues: OperationOutcomeIssue[]): OperationOutcomeError {
  return new OperationOutcomeError({
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => (i.details?.text?.startsWith('Bundle.entry[') ? i : { ...i, details: { text: `Bundle.entry[${index}]: ${i.details?.text ?? ''}` } })),
  });
}

const UUID = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

function uuidOf(fullUrl: string | undefined): string | undefined {
  return fullUrl ? UUID.exec(fullUrl)?.[1]?.toLowerCase() : undefined;
}
