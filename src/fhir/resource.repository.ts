import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../db/database.js';
import type { ResourceSource } from '../db/tables/fhir-resource.table.js';
import { OperationOutcomeError } from './outcomes.js';
import { extractSearchValues } from './search-values.js';
import { createValidator } from './validate.js';

export type { ResourceSource } from '../db/tables/fhir-resource.table.js';

export interface PutMeta {
  source: ResourceSource;
  /** `meta.lastUpdated` of a new version; default now. */
  at?: Date;
}

export interface PutResult {
  resource: Resource;
  versionId: string;
  /** False when the content equalled the current version (a resend): no version was written. */
  changed: boolean;
  previous?: Resource;
}

export interface VersionEntry {
  versionId: string;
  lastUpdated: Date;
  deleted: boolean;
  resource?: Resource;
}

/**
 * Create or update (`PUT [type]/[id]`, https://hl7.org/fhir/R4/http.html#update) after validation.
 * Content equal to the current version, meta aside, writes nothing. Pass a transaction as `db` to
 * make several puts atomic; otherwise each put runs in its own.
 */
export async function putResource(db: Db, resource: Resource, meta: PutMeta): Promise<PutResult> {
  const candidate = { ...resource, id: resource.id ?? randomUUID() } as Resource;
  createValidator().validate(candidate);
  return inTransaction(db, async (trx) => {
    const type = candidate.resourceType;
    const id = candidate.id as string;
    await lock(trx, type, id);
    const current = await currentRow(trx, type, id);
    const previous = current && !current.deleted ? (current.content as unknown as Resource) : undefined;
    if (previous && sameContent(previous, candidate)) {
      return { resource: previous, versionId: String(current?.version_id), changed: false, previous };
    }
    const version = (current?.version_id ?? 0) + 1;
    const at = meta.at ?? new Date();
    const { versionId: _v, lastUpdated: _l, ...restMeta } = candidate.meta ?? {};
    const stored = { ...candidate, meta: { ...restMeta, versionId: String(version), lastUpdated: at.toISOString() } } as Resource;
    await writeVersion(trx, type, id, version, at, stored, meta.source);
    await trx.deleteFrom('fhir_search').where('resource_type', '=', type).where('id', '=', id).execute();
    const values = extractSearchValues(stored);
    if (values.length) await trx.insertInto('fhir_search').values(values.map((v) => ({ ...v, resource_type: type, id }))).execute();
    return { resource: stored, versionId: String(version), changed: true, ...(previous ? { previous } : {}) };
  });
}

/** Soft delete (https://hl7.org/fhir/R4/http.html#delete): a new version marked deleted. False when there was nothing to delete. */
export async function deleteResource(db: Db, type: string, id: string, meta: PutMeta): Promise<{ deleted: boolean; versionId?: string }> {
  return inTransaction(db, async (trx) => {
    await lock(trx, type, id);
    const current = await currentRow(trx, type, id);
    if (!current || current.deleted) return { deleted: false };
    const version = current.version_id + 1;
    await writeVersion(trx, type, id, version, meta.at ?? new Date(), undefined, meta.source);
    await trx.deleteFrom('fhir_search').where('resource_type', '=', type).where('id', '=', id).execute();
    return { deleted: true, versionId: String(version) };
  });
}

/** The current version; throws `not-found` (404) or `deleted` (410 Gone). */
export async function readResource(db: Db, type: string, id: string): Promise<Resource> {
  const row = await currentRow(db, type, id);
  if (!row) throw notFound(`${type}/${id} is not known`);
  if (row.deleted || !row.content) throw gone(`${type}/${id} was deleted`);
  return row.content as unknown as Resource;
}

/** One version (vread, https://hl7.org/fhir/R4/http.html#vread). */
export async function readVersion(db: Db, type: string, id: string, versionId: string): Promise<Resource> {
  const n = Number(versionId);
  if (!Number.isInteger(n) || n < 1) throw notFound(`${type}/${id} has no version ${versionId}`);
  const row = await db
    .selectFrom('fhir_resource')
    .select(['content', 'deleted'])
    .where('resource_type', '=', type)
    .where('id', '=', id)
    .where('version_id', '=', n)
    .executeTakeFirst();
  if (!row) throw notFound(`${type}/${id} has no version ${versionId}`);
  if (row.deleted || !row.content) throw gone(`${type}/${id} version ${versionId} is a deletion`);
  return row.content as unknown as Resource;
}

/** Every version, newest first (https://hl7.org/fhir/R4/http.html#history); 404 when never stored. */
export async function history(db: Db, type: string, id: string): Promise<VersionEntry[]> {
  const rows = await db
    .selectFrom('fhir_resource')
    .select(['version_id', 'last_updated', 'deleted', 'content'])
    .where('resource_type', '=', type)
    .where('id', '=', id)
    .orderBy('version_id', 'desc')
    .execute();
  if (!rows.length) throw notFound(`${type}/${id} is not known`);
  return rows.map((r) => ({
    versionId: String(r.version_id),
    lastUpdated: new Date(r.last_updated),
    deleted: r.deleted,
    ...(r.content && !r.deleted ? { resource: r.content as unknown as Resource } : {}),
  }));
}

/** Current, non-deleted resources by `Type/id` references; unknown ones are skipped. */
export async function readReferences(db: Db, refs: readonly string[]): Promise<Resource[]> {
  const pairs = [...new Set(refs)].map((r) => r.split('/')).filter((p): p is [string, string] => p.length === 2);
  if (!pairs.length) return [];
  const rows = await db
    .selectFrom('fhir_resource_current')
    .select('content')
    .where('deleted', '=', false)
    .where((eb) => eb.or(pairs.map(([t, i]) => eb.and([eb('resource_type', '=', t), eb('id', '=', i)]))))
    .execute();
  return rows.map((r) => r.content as unknown as Resource);
}

async function writeVersion(trx: Db, type: string, id: string, version: number, at: Date, content: Resource | undefined, source: ResourceSource): Promise<void> {
  const json = content ? JSON.stringify(content) : null;
  const deleted = !content;
  await trx
    .insertInto('fhir_resource')
    .values({ resource_type: type, id, version_id: version, last_updated: at, content: json, deleted, source: JSON.stringify(source) })
    .execute();
  await trx
    .insertInto('fhir_resource_current')
    .values({ resource_type: type, id, version_id: version, last_updated: at, content: json, deleted })
    .onConflict((oc) => oc.columns(['resource_type', 'id']).doUpdateSet({ version_id: version, last_updated: at, content: json, deleted }))
    .execute();
}

function currentRow(db: Db, type: string, id: string) {
  return db
    .selectFrom('fhir_resource_current')
    .select(['version_id', 'deleted', 'content'])
    .where('resource_type', '=', type)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Two writers of one resource queue here instead of racing for the same version number. */
async function lock(trx: Db, type: string, id: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`${type}/${id}`}))`.execute(trx);
}

function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Equal apart from `meta.versionId` and `meta.lastUpdated`, key order ignored. */
function sameContent(a: Resource, b: Resource): boolean {
  return canonical(withoutVersionMeta(a)) === canonical(withoutVersionMeta(b));
}

function withoutVersionMeta(r: Resource): Resource {
  const { versionId: _v, lastUpdated: _l, ...meta } = r.meta ?? {};
  const { meta: _m, ...rest } = r;
  return (Object.keys(meta).length ? { ...rest, meta } : rest) as Resource;
}

function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x && typeof x === 'object') {
    return `{${Object.keys(x)
      .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x);
}

function notFound(text: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', details: { text } }] });
}

function gone(text: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'deleted', details: { text } }] });
}
