import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../db/database.js';
import type { ResourceSource } from '../db/tables/fhir-resource.table.js';
import { OperationOutcomeError } from './outcomes.js';
import { extractSearchValues, type SearchValue } from './search-values.js';
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
  return (await putResources(db, [resource], meta))[0] as PutResult;
}

/**
 * `putResource` for several resources at once, results in input order: every one is validated
 * before anything is written, then the resources are locked, read and written in three round trips
 * whatever their number. A resource named twice is put twice, in order.
 */
export async function putResources(db: Db, resources: readonly Resource[], meta: PutMeta): Promise<PutResult[]> {
  const candidates = resources.map((r) => ({ ...r, id: r.id ?? randomUUID() }) as Resource);
  const validator = createValidator();
  for (const c of candidates) validator.validate(c);
  if (!candidates.length) return [];
  return inTransaction(db, async (trx) => {
    const keys = candidates.map((c) => `${c.resourceType}/${c.id as string}`);
    await lockAll(trx, keys);
    const current = await currentRows(trx, candidates);
    const at = meta.at ?? new Date();
    const writes: VersionWrite[] = [];
    const results = candidates.map((candidate, i): PutResult => {
      const key = keys[i] as string;
      const row = current.get(key);
      const previous = row && !row.deleted ? (row.content as unknown as Resource) : undefined;
      if (previous && sameContent(previous, candidate)) return { resource: previous, versionId: String(row?.version_id), changed: false, previous };
      const version = (row?.version_id ?? 0) + 1;
      const { versionId: _v, lastUpdated: _l, ...restMeta } = candidate.meta ?? {};
      const stored = { ...candidate, meta: { ...restMeta, versionId: String(version), lastUpdated: at.toISOString() } } as Resource;
      writes.push({ type: stored.resourceType, id: stored.id as string, version, content: stored, search: extractSearchValues(stored) });
      // A later entry for the same resource builds on this version.
      current.set(key, { version_id: version, deleted: false, content: stored as unknown as Record<string, unknown> });
      return { resource: stored, versionId: String(version), changed: true, ...(previous ? { previous } : {}) };
    });
    await writeVersions(trx, collapse(writes), at, meta.source);
    return results;
  });
}

/** Soft delete (https://hl7.org/fhir/R4/http.html#delete): a new version marked deleted. False when there was nothing to delete. */
export async function deleteResource(db: Db, type: string, id: string, meta: PutMeta): Promise<{ deleted: boolean; versionId?: string }> {
  return inTransaction(db, async (trx) => {
    await lock(trx, type, id);
    const current = await currentRow(trx, type, id);
    if (!current || current.deleted) return { deleted: false };
    const version = current.version_id + 1;
    await writeVersions(trx, [{ type, id, version, content: undefined, search: [] }], meta.at ?? new Date(), meta.source);
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

interface VersionWrite {
  type: string;
  id: string;
  version: number;
  /** Undefined for a deletion. */
  content: Resource | undefined;
  search: readonly SearchValue[];
}

/** When one call versions a resource twice, history keeps both versions; current and search only the last. */
function collapse(writes: VersionWrite[]): { versions: VersionWrite[]; latest: VersionWrite[] } {
  const latest = new Map<string, VersionWrite>();
  for (const w of writes) latest.set(`${w.type}/${w.id}`, w);
  return { versions: writes, latest: [...latest.values()] };
}

/**
 * New versions, current-version rows and rebuilt search rows in one statement (one round trip
 * instead of four per resource). Data-modifying CTEs all see the statement's snapshot, so the
 * DELETE removes only the previous versions' search rows, never the ones inserted beside it.
 */
async function writeVersions(trx: Db, writes: VersionWrite[] | { versions: VersionWrite[]; latest: VersionWrite[] }, at: Date, source: ResourceSource): Promise<void> {
  const { versions, latest } = Array.isArray(writes) ? { versions: writes, latest: writes } : writes;
  if (!versions.length) return;
  const rows = (list: VersionWrite[]) =>
    JSON.stringify(list.map((w) => ({ resource_type: w.type, id: w.id, version_id: w.version, content: w.content ?? null, deleted: !w.content })));
  const search = JSON.stringify(latest.flatMap((w) => w.search.map((v) => ({ ...v, resource_type: w.type, id: w.id }))));
  await sql`
    WITH version AS (
      INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, content, deleted, source)
      SELECT v.resource_type, v.id, v.version_id, ${at}, v.content, v.deleted, ${JSON.stringify(source)}::jsonb
      FROM jsonb_to_recordset(${rows(versions)}::jsonb) AS v(resource_type text, id text, version_id integer, content jsonb, deleted boolean)
    ), current AS (
      INSERT INTO fhir_resource_current (resource_type, id, version_id, last_updated, content, deleted)
      SELECT v.resource_type, v.id, v.version_id, ${at}, v.content, v.deleted
      FROM jsonb_to_recordset(${rows(latest)}::jsonb) AS v(resource_type text, id text, version_id integer, content jsonb, deleted boolean)
      ON CONFLICT (resource_type, id) DO UPDATE
      SET version_id = EXCLUDED.version_id, last_updated = EXCLUDED.last_updated, content = EXCLUDED.content, deleted = EXCLUDED.deleted
    ), previous_search AS (
      DELETE FROM fhir_search s
      USING jsonb_to_recordset(${rows(latest)}::jsonb) AS v(resource_type text, id text)
      WHERE s.resource_type = v.resource_type AND s.id = v.id
    )
    INSERT INTO fhir_search (resource_type, id, code, system, value, norm, date_start, date_end)
    SELECT s.resource_type, s.id, s.code, s.system, s.value, s.norm, s.date_start, s.date_end
    FROM jsonb_to_recordset(${search}::jsonb)
      AS s(resource_type text, id text, code text, system text, value text, norm text, date_start timestamptz, date_end timestamptz)`.execute(trx);
}

function currentRow(db: Db, type: string, id: string) {
  return db
    .selectFrom('fhir_resource_current')
    .select(['version_id', 'deleted', 'content'])
    .where('resource_type', '=', type)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Current rows of the candidates, by `Type/id`. */
async function currentRows(trx: Db, resources: readonly Resource[]) {
  const wanted = JSON.stringify(resources.map((r) => ({ resource_type: r.resourceType, id: r.id })));
  const { rows } = await sql<{ resource_type: string; id: string; version_id: number; deleted: boolean; content: Record<string, unknown> | null }>`
    SELECT c.resource_type, c.id, c.version_id, c.deleted, c.content
    FROM fhir_resource_current c
    JOIN (SELECT DISTINCT resource_type, id FROM jsonb_to_recordset(${wanted}::jsonb) AS w(resource_type text, id text)) w
      ON c.resource_type = w.resource_type AND c.id = w.id`.execute(trx);
  return new Map(rows.map((r) => [`${r.resource_type}/${r.id}`, { version_id: r.version_id, deleted: r.deleted, content: r.content }]));
}

/**
 * Two writers of the same resources queue here instead of racing for the same version number.
 * Taken in sorted order, so two writers locking overlapping sets cannot deadlock on each other.
 */
async function lockAll(trx: Db, keys: readonly string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  await sql`SELECT pg_advisory_xact_lock(hashtext(k)) FROM (SELECT k FROM unnest(${sorted}::text[]) AS k ORDER BY k) AS ordered`.execute(trx);
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
