import type { Db } from '../db/database.js';
import type { MpiLinkRow } from '../db/tables/identity.table.js';

/**
 * Who a patient was, as known at a time, on both clocks: a link counts when it was true at `asOf`
 * (valid_from ≤ asOf < valid_to) and Sinew had recorded it by `knownAt` (recorded_from ≤ knownAt
 * < recorded_to). `knownAt` defaults to `asOf`, so a merge recorded after T is not used at T.
 * Only MATCH links count: a POSSIBLE_MATCH is a question to a person, not an identity.
 */
function linksAsOf(db: Db, asOf: Date, knownAt: Date) {
  return db
    .selectFrom('mpi_link')
    .where('state', '=', 'MATCH')
    .where('valid_from', '<=', asOf)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', asOf)]))
    .where('recorded_from', '<=', knownAt)
    .where((eb) => eb.or([eb('recorded_to', 'is', null), eb('recorded_to', '>', knownAt)]));
}

/** The golden a source was MATCHed to at `asOf` (default: now), or undefined. */
export async function goldenOf(db: Db, sourceId: string, asOf: Date = new Date(), knownAt: Date = asOf): Promise<string | undefined> {
  const row = await linksAsOf(db, asOf, knownAt).select('golden_id').where('source_id', '=', sourceId).orderBy('recorded_from', 'desc').executeTakeFirst();
  return row?.golden_id;
}

/**
 * Every source Patient id of the golden record that `goldenOrSourceId` was (or belonged to) at
 * `asOf`, sorted. [] when the id was not known then. The fusion layer calls this per bundle time.
 */
export async function sourcesOfGoldenAsOf(db: Db, goldenOrSourceId: string, asOf: Date, knownAt: Date = asOf): Promise<string[]> {
  const isGolden = await db.selectFrom('mpi_golden').select('id').where('id', '=', goldenOrSourceId).executeTakeFirst();
  const goldenId = isGolden ? goldenOrSourceId : await goldenOf(db, goldenOrSourceId, asOf, knownAt);
  if (!goldenId) return [];
  const rows = await linksAsOf(db, asOf, knownAt).select('source_id').distinct().where('golden_id', '=', goldenId).execute();
  return rows.map((r) => r.source_id as string).sort();
}

/** Every link row ever recorded for a source or a golden, oldest recording first (audit view). */
export async function linkHistory(db: Db, id: string): Promise<MpiLinkRow[]> {
  return db
    .selectFrom('mpi_link')
    .selectAll()
    .where((eb) => eb.or([eb('source_id', '=', id), eb('golden_id', '=', id), eb('other_golden_id', '=', id)]))
    .orderBy('recorded_from')
    .orderBy('id')
    .execute();
}
