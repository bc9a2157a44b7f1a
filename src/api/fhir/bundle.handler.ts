import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Bundle, BundleEntry, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { Interaction } from '../../auth/scopes.js';
import type { Db } from '../../db/database.js';
import { normalizeOperationOutcome, OperationOutcomeError } from '../../fhir/outcomes.js';
import { deleteResource, putResource, readResource, type ResourceSource } from '../../fhir/resource.repository.js';
import { isServedType } from '../../fhir/search-parameters.js';
import { httpError, statusOf } from '../outcome-middleware.js';
import { requireAccess } from './fhir-access.js';

export interface BundleDeps {
  db: Db;
}

interface PlannedEntry {
  index: number;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  type: string;
  id: string;
  resource?: Resource;
}

const INTERACTION: Record<PlannedEntry['method'], Interaction> = { GET: 'r', POST: 'c', PUT: 'u', DELETE: 'd' };
const SOURCE: ResourceSource = { kind: 'fhir-api' };

/**
 * `POST [base]` with a transaction or batch Bundle (https://hl7.org/fhir/R4/http.html#transaction).
 * A transaction is all-or-nothing in one database transaction, with `urn:uuid:` references rewritten
 * to the ids the server assigns; a batch runs entry by entry, each failure an OperationOutcome in its
 * response entry.
 */
export function bundleHandler(deps: BundleDeps): RequestHandler {
  return async (req, res) => {
    const bundle = req.body as Bundle | undefined;
    if (bundle?.resourceType !== 'Bundle' || (bundle.type !== 'transaction' && bundle.type !== 'batch')) {
      throw httpError('invalid', 'POST [base] takes a Bundle of type transaction or batch', 'Bundle.type');
    }
    const out = bundle.type === 'transaction' ? await transaction(deps.db, res, bundle) : await batch(deps.db, res, bundle);
    res.type('application/fhir+json').json(out);
  };
}

async function transaction(db: Db, res: Response, bundle: Bundle): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  const planned = entries.map((e, i) => plan(e, i));
  for (const p of planned) requireAccess(res, p.type, INTERACTION[p.method]);
  const refs = new Map<string, string>();
  entries.forEach((e, i) => {
    const p = planned[i] as PlannedEntry;
    if (e.fullUrl && p.method !== 'GET' && p.method !== 'DELETE') refs.set(e.fullUrl, `${p.type}/${p.id}`);
  });
  for (const p of planned) if (p.resource) p.resource = rewriteReferences(p.resource, refs, p.index);
  const results = await db.transaction().execute(async (trx) => {
    const done: BundleEntry[] = [];
    for (const p of planned) done.push(await execute(trx, p).catch((err: unknown) => Promise.reject(atEntry(err, p.index))));
    return done;
  });
  return { resourceType: 'Bundle', type: 'transaction-response', entry: results };
}

async function batch(db: Db, res: Response, bundle: Bundle): Promise<Bundle> {
  const entry: BundleEntry[] = [];
  for (const [i, e] of (bundle.entry ?? []).entries()) {
    try {
      const p = plan(e, i);
      requireAccess(res, p.type, INTERACTION[p.method]);
      entry.push(await db.transaction().execute((trx) => execute(trx, p)));
    } catch (err) {
      const outcome = (atEntry(err, i) as OperationOutcomeError).outcome;
      entry.push({ response: { status: String(statusOf(outcome)), outcome } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry };
}

function plan(e: BundleEntry, index: number): PlannedEntry {
  const fail = (text: string, where = 'request'): never => {
    throw entryError(index, [{ severity: 'error', code: 'invalid', details: { text }, expression: [`Bundle.entry[${index}].${where}`] }]);
  };
  const method = e.request?.method;
  const url = (e.request?.url ?? '').replace(/^\/+/, '').split('?')[0] ?? '';
  const [type = '', id, ...rest] = url.split('/');
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'DELETE') return fail(`unsupported request.method ${method ?? '(none)'}`);
  if (!isServedType(type)) return fail(`request.url "${e.request?.url ?? ''}" does not name a supported resource type`);
  if (rest.length || (method !== 'POST' && !id) || (method === 'POST' && id)) return fail(`request.url "${e.request?.url}" does not fit ${method}`);
  if (method === 'GET' || method === 'DELETE') return { index, method, type, id: id as string };
  const resource = e.resource;
  if (!resource) return fail(`${method} needs a resource`, 'resource');
  if (resource.resourceType !== type) return fail(`resource is a ${resource.resourceType}, request.url says ${type}`, 'resource');
  if (method === 'PUT' && resource.id !== undefined && resource.id !== id) return fail(`resource.id ${resource.id} differs from request.url`, 'resource.id');
  // POST ignores any id the client sent: the server names new resources (R4 http.html#create).
  const newId = method === 'PUT' ? (id as string) : randomUUID();
  return { index, method, type, id: newId, resource: { ...resource, id: newId } as Resource };
}

async function execute(trx: Db, p: PlannedEntry): Promise<BundleEntry> {
  if (p.method === 'GET') return { resource: await readResource(trx, p.type, p.id), response: { status: '200 OK' } };
  if (p.method === 'DELETE') {
    await deleteResource(trx, p.type, p.id, { source: SOURCE });
    return { response: { status: '204 No Content' } };
  }
  const r = await putResource(trx, p.resource as Resource, { source: SOURCE });
  const created = r.changed && r.versionId === '1';
  return {
    fullUrl: `${p.type}/${p.id}`,
    resource: r.resource,
    response: {
      status: created ? '201 Created' : '200 OK',
      location: `${p.type}/${p.id}/_history/${r.versionId}`,
      etag: `W/"${r.versionId}"`,
      ...(r.resource.meta?.lastUpdated ? { lastModified: r.resource.meta.lastUpdated } : {}),
    },
  };
}

/** Rewrite `urn:uuid:` (and other fullUrl) references to server ids; an unresolved urn is an error. */
function rewriteReferences(resource: Resource, refs: ReadonlyMap<string, string>, index: number): Resource {
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
    throw entryError(index, unresolved.map((u) => ({ severity: 'error', code: 'invalid', details: { text: `reference ${u} matches no entry's fullUrl` }, expression: [`Bundle.entry[${index}].resource`] })));
  }
  return out;
}

/** Name the entry in every issue, so the client knows which one failed. */
function atEntry(err: unknown, index: number): OperationOutcomeError {
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
