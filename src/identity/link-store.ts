import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { LinkHow, LinkState, MpiLinkRow } from '../db/tables/identity.table.js';
import type { Tables } from '../db/tables/index.js';
import { buildGoldenPatient, DEFAULT_SURVIVORSHIP, type GoldenSource, type SurvivorshipProfile } from './golden-record.js';
import type { Person } from './person.js';

/** Current on both clocks: still true, and not superseded by a later recording. */
export function isCurrent(eb: ExpressionBuilder<Tables, 'mpi_link'>) {
  return eb.and([eb('mpi_link.recorded_to', 'is', null), eb('mpi_link.valid_to', 'is', null)]);
}

/** The source's one current MATCH or POSSIBLE_MATCH link (the partial unique index guarantees ≤ 1). */
export async function currentLinkOf(db: Db, sourceId: string): Promise<MpiLinkRow | undefined> {
  return db
    .selectFrom('mpi_link')
    .selectAll()
    .where('source_id', '=', sourceId)
    .where('state', 'in', ['MATCH', 'POSSIBLE_MATCH'])
    .where(isCurrent)
    .executeTakeFirst();
}

export interface MemberSource {
  id: string;
  person: Person;
}

/** Current MATCH sources of each golden: the evidence a record is scored against. */
export async function matchMembers(db: Db, goldenIds: readonly string[], excludeSourceId?: string): Promise<Map<string, MemberSource[]>> {
  const out = new Map<string, MemberSource[]>();
  if (!goldenIds.length) return out;
  let q = db
    .selectFrom('mpi_link')
    .innerJoin('mpi_source', 'mpi_source.id', 'mpi_link.source_id')
    .select(['mpi_link.golden_id', 'mpi_source.id', 'mpi_source.person'])
    .where('mpi_link.golden_id', 'in', [...goldenIds])
    .where('mpi_link.state', '=', 'MATCH')
    .where(isCurrent);
  if (excludeSourceId) q = q.where('mpi_source.id', '<>', excludeSourceId);
  for (const r of await q.orderBy('mpi_source.id').execute()) {
    const list = out.get(r.golden_id) ?? [];
    list.push({ id: r.id, person: r.person as unknown as Person });
    out.set(r.golden_id, list);
  }
  return out;
}

export interface NewLink {
  sourceId: string | null;
  goldenId: string;
  otherGoldenId?: string;
  state: LinkState;
  how: LinkHow;
  rule: string;
  score?: number;
  probability?: number;
  explanation?: unknown;
  by?: string;
}

/**
 * Append-only change of a link. The old row's recording is closed; what was believed of it is
 * re-recorded with its valid time ending at `validAt`; the new fact starts at `validAt`.
 */
export async function replaceLink(db: Db, old: MpiLinkRow | undefined, next: NewLink | undefined, validAt: Date, recordedAt: Date): Promise<void> {
  if (old) {
    await db.updateTable('mpi_link').set({ recorded_to: recordedAt }).where('id', '=', old.id).execute();
    if (new Date(old.valid_from).getTime() < validAt.getTime()) {
      const { id: _id, recorded_to: _rt, ...rest } = old;
      await db
        .insertInto('mpi_link')
        .values({ ...rest, explanation: rest.explanation === null ? null : JSON.stringify(rest.explanation), valid_to: validAt, recorded_from: recordedAt })
        .execute();
    }
  }
  if (next) await insertLink(db, next, validAt, recordedAt);
}

export async function insertLink(db: Db, l: NewLink, validAt: Date, recordedAt: Date): Promise<void> {
  await db
    .insertInto('mpi_link')
    .values({
      source_id: l.sourceId,
      golden_id: l.goldenId,
      other_golden_id: l.otherGoldenId ?? null,
      state: l.state,
      how: l.how,
      rule: l.rule,
      score: l.score ?? null,
      probability: l.probability ?? null,
      explanation: l.explanation === undefined ? null : JSON.stringify(l.explanation),
      by: l.by ?? null,
      valid_from: validAt,
      recorded_from: recordedAt,
    })
    .execute();
}

/** A new, empty golden record; its resource is filled by rebuildGolden once a source links. */
export async function createGolden(db: Db): Promise<string> {
  const id = randomUUID();
  await db.insertInto('mpi_golden').values({ id, resource: JSON.stringify({ resourceType: 'Patient', id }), version: 0 }).execute();
  return id;
}

/**
 * A new golden record for its first source, inserted built: what createGolden followed by
 * rebuildGolden leaves (version 1), in one statement instead of four.
 */
export async function createGoldenFor(db: Db, source: GoldenSource, profile: SurvivorshipProfile = DEFAULT_SURVIVORSHIP): Promise<string> {
  const id = randomUUID();
  const version = 1;
  await db.insertInto('mpi_golden').values({ id, resource: JSON.stringify(buildGoldenPatient(id, [source], profile, version)), version }).execute();
  return id;
}

/**
 * Rebuild a golden Patient from its current MATCH sources (survivorship). A golden left with no
 * MATCH source is retired (active = false), never deleted: history and merges point at it.
 */
export async function rebuildGolden(db: Db, goldenId: string, profile: SurvivorshipProfile = DEFAULT_SURVIVORSHIP): Promise<Patient | undefined> {
  // The version and the sources in one read: a golden row with no MATCH source comes back once, sourceless.
  const { rows } = await sql<{ version: number; id: string | null; resource: Patient | null; valid_at: Date | null }>`
    SELECT g.version, s.id, s.resource, s.valid_at FROM mpi_golden g
      LEFT JOIN mpi_link l ON l.golden_id = g.id AND l.state = 'MATCH' AND l.recorded_to IS NULL AND l.valid_to IS NULL
      LEFT JOIN mpi_source s ON s.id = l.source_id
     WHERE g.id = ${goldenId}`.execute(db);
  const row = rows[0];
  if (!row) throw new Error(`golden record ${goldenId} does not exist`);
  const sources = rows.filter((r) => r.id !== null) as { id: string; resource: Patient; valid_at: Date }[];
  const version = row.version + 1;
  if (!sources.length) {
    const retired: Patient = { resourceType: 'Patient', id: goldenId, meta: { versionId: String(version) }, active: false };
    await db.updateTable('mpi_golden').set({ resource: JSON.stringify(retired), version, active: false, updated_at: new Date() }).where('id', '=', goldenId).execute();
    return undefined;
  }
  const golden = buildGoldenPatient(
    goldenId,
    sources.map((s) => ({ id: s.id, patient: s.resource, validAt: new Date(s.valid_at) })),
    profile,
    version,
  );
  await db.updateTable('mpi_golden').set({ resource: JSON.stringify(golden), version, active: true, merged_into: null, updated_at: new Date() }).where('id', '=', goldenId).execute();
  return golden;
}

/** Flag two goldens as POSSIBLE_DUPLICATE once (canonical order); never merges them. */
export async function flagDuplicate(db: Db, a: string, b: string, why: { rule: string; score?: number; probability?: number }, validAt: Date, recordedAt: Date): Promise<boolean> {
  if (a === b) return false;
  const [g1, g2] = a < b ? [a, b] : [b, a];
  const existing = await db
    .selectFrom('mpi_link')
    .select('id')
    .where('golden_id', '=', g1)
    .where('other_golden_id', '=', g2)
    .where('state', '=', 'POSSIBLE_DUPLICATE')
    .where(isCurrent)
    .executeTakeFirst();
  if (existing) return false;
  await insertLink(db, { sourceId: null, goldenId: g1, otherGoldenId: g2, state: 'POSSIBLE_DUPLICATE', how: 'AUTO', ...why }, validAt, recordedAt);
  return true;
}

/** Close the POSSIBLE_DUPLICATE flags touching a golden (after a merge or when it is retired). */
export async function closeDuplicateFlags(db: Db, goldenIds: readonly string[], validAt: Date, recordedAt: Date): Promise<void> {
  if (!goldenIds.length) return;
  const rows = await db
    .selectFrom('mpi_link')
    .selectAll()
    .where('state', '=', 'POSSIBLE_DUPLICATE')
    .where(isCurrent)
    .where((eb) => eb.or([eb('golden_id', 'in', [...goldenIds]), eb('other_golden_id', 'in', [...goldenIds])]))
    .execute();
  for (const r of rows) await replaceLink(db, r, undefined, validAt, recordedAt);
}

/** Goldens this source must not join: direct instructions and the goldens of do-not-match sources. */
export async function doNotMatchGoldens(db: Db, sourceId: string): Promise<Set<string>> {
  const { rows } = await sql<{ golden_id: string }>`
    SELECT golden_id FROM mpi_no_match WHERE source_id = ${sourceId} AND golden_id IS NOT NULL
    UNION
    SELECT l.golden_id FROM mpi_no_match n
      JOIN mpi_link l ON l.source_id = CASE WHEN n.source_id = ${sourceId} THEN n.other_source_id ELSE n.source_id END
     WHERE (n.source_id = ${sourceId} OR n.other_source_id = ${sourceId}) AND n.other_source_id IS NOT NULL
       AND l.state = 'MATCH' AND l.recorded_to IS NULL AND l.valid_to IS NULL`.execute(db);
  return new Set(rows.map((r) => r.golden_id));
}

/** Run in the caller's transaction, or open one (retrying a deadlock once: it is only ever transient). */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt < 2 && (code === '40P01' || code === '40001')) continue;
      throw err;
    }
  }
}
