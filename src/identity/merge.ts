import { OperationOutcomeError } from '../fhir/outcomes.js';
import type { Db } from '../db/database.js';
import type { MpiMergeRow } from '../db/tables/identity.table.js';
import { DEFAULT_SURVIVORSHIP } from './golden-record.js';
import type { IdentityDeps } from './identity-deps.js';
import { closeDuplicateFlags, createGolden, currentLinkOf, inTransaction, isCurrent, rebuildGolden, replaceLink } from './link-store.js';

type Deps = Pick<IdentityDeps, 'survivorship'>;

function notFound(text: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', details: { text } }] });
}
function conflict(text: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', details: { text } }] });
}

async function requireLink(db: Db, sourceId: string) {
  const link = await currentLinkOf(db, sourceId);
  if (!link) throw notFound(`source ${sourceId} is not in the index`);
  return link;
}

async function currentMembers(db: Db, goldenId: string): Promise<string[]> {
  const rows = await db.selectFrom('mpi_link').select('source_id').where('golden_id', '=', goldenId).where('state', 'in', ['MATCH', 'POSSIBLE_MATCH']).where(isCurrent).orderBy('source_id').execute();
  return rows.map((r) => r.source_id as string);
}

export interface MergeRequest {
  /** The subsumed source (HL7 MRG-1, FHIR source-patient). */
  from: string;
  /** The surviving source (PID-3, target-patient). */
  into: string;
  by?: string;
  /** Valid time: when the sending system merged. */
  at: Date;
  recordedAt?: Date;
}

export interface MergeResult {
  mergeId: string;
  fromGolden: string;
  intoGolden: string;
  moved: string[];
}

/**
 * Merge as a sending system asked (ADT A40/A34/A47, Patient.link replaced-by, $merge): every
 * source of the subsumed source's golden moves to the survivor's golden as MATCH MANUAL; the old
 * golden is retired with `merged_into`. Recorded in mpi_merge so `unmerge` can put it back.
 */
export async function mergeSources(db: Db, req: MergeRequest, deps: Deps = {}): Promise<MergeResult> {
  return inTransaction(db, async (trx) => {
    const recordedAt = req.recordedAt ?? new Date();
    const from = await requireLink(trx, req.from);
    const into = await requireLink(trx, req.into);
    if (from.golden_id === into.golden_id) throw conflict(`${req.from} and ${req.into} already share golden record ${into.golden_id}`);
    // Lock both goldens in id order, the order every writer uses.
    for (const g of [from.golden_id, into.golden_id].sort()) await trx.selectFrom('mpi_golden').select('id').where('id', '=', g).forUpdate().execute();
    const moved = await currentMembers(trx, from.golden_id);
    for (const sourceId of moved) {
      const old = await currentLinkOf(trx, sourceId);
      await replaceLink(trx, old, { sourceId, goldenId: into.golden_id, state: 'MATCH', how: 'MANUAL', rule: 'merge', ...(req.by ? { by: req.by } : {}) }, req.at, recordedAt);
    }
    await closeDuplicateFlags(trx, [from.golden_id], req.at, recordedAt);
    const row = await trx
      .insertInto('mpi_merge')
      .values({ from_source: req.from, into_source: req.into, from_golden: from.golden_id, into_golden: into.golden_id, moved: JSON.stringify(moved), by: req.by ?? null, valid_at: req.at, recorded_at: recordedAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    await rebuildGolden(trx, into.golden_id, deps.survivorship ?? DEFAULT_SURVIVORSHIP);
    await rebuildGolden(trx, from.golden_id, deps.survivorship ?? DEFAULT_SURVIVORSHIP);
    await trx.updateTable('mpi_golden').set({ merged_into: into.golden_id }).where('id', '=', from.golden_id).execute();
    return { mergeId: String(row.id), fromGolden: from.golden_id, intoGolden: into.golden_id, moved };
  });
}

/** Reverse a merge: the moved sources go back to their old golden, both goldens are rebuilt. */
export async function unmerge(db: Db, mergeId: string, opts: { by?: string; at?: Date; recordedAt?: Date } & Deps = {}): Promise<MergeResult> {
  return inTransaction(db, async (trx) => {
    const m: MpiMergeRow | undefined = await trx.selectFrom('mpi_merge').selectAll().where('id', '=', mergeId).forUpdate().executeTakeFirst();
    if (!m) throw notFound(`no merge ${mergeId}`);
    if (m.undone_at) throw conflict(`merge ${mergeId} was already undone`);
    const at = opts.at ?? new Date();
    const recordedAt = opts.recordedAt ?? new Date();
    const moved = m.moved as unknown as string[];
    for (const sourceId of moved) {
      const old = await currentLinkOf(trx, sourceId);
      // A source re-linked by a person since the merge stays where that person put it.
      if (!old || old.golden_id !== m.into_golden || old.rule !== 'merge') continue;
      await replaceLink(trx, old, { sourceId, goldenId: m.from_golden, state: 'MATCH', how: 'MANUAL', rule: 'unmerge', ...(opts.by ? { by: opts.by } : {}) }, at, recordedAt);
    }
    await trx.updateTable('mpi_merge').set({ undone_at: recordedAt, undone_by: opts.by ?? null }).where('id', '=', mergeId).execute();
    await rebuildGolden(trx, m.from_golden, opts.survivorship ?? DEFAULT_SURVIVORSHIP);
    await rebuildGolden(trx, m.into_golden, opts.survivorship ?? DEFAULT_SURVIVORSHIP);
    return { mergeId, fromGolden: m.from_golden, intoGolden: m.into_golden, moved };
  });
}

export interface StewardOptions extends Deps {
  at?: Date;
  recordedAt?: Date;
}

/**
 * A person says the source is not that golden: NO_MATCH MANUAL, do-not-match instructions against
 * the golden and each of its other sources (so they survive later merges), and the source gets its
 * own new golden (AUTO: a later re-index may still find it a third golden, never this one).
 */
export async function unlink(db: Db, sourceId: string, goldenId: string, by: string, opts: StewardOptions = {}): Promise<{ newGoldenId: string }> {
  return inTransaction(db, async (trx) => {
    const at = opts.at ?? new Date();
    const recordedAt = opts.recordedAt ?? new Date();
    const link = await requireLink(trx, sourceId);
    if (link.golden_id !== goldenId) throw conflict(`source ${sourceId} is not linked to golden ${goldenId}`);
    const others = (await currentMembers(trx, goldenId)).filter((s) => s !== sourceId);
    await replaceLink(trx, link, { sourceId, goldenId, state: 'NO_MATCH', how: 'MANUAL', rule: 'manual', by }, at, recordedAt);
    await trx.insertInto('mpi_no_match').values([{ source_id: sourceId, golden_id: goldenId, other_source_id: null, by }, ...others.map((o) => ({ source_id: sourceId, golden_id: null, other_source_id: o, by }))]).execute();
    const newGoldenId = await createGolden(trx);
    await replaceLink(trx, undefined, { sourceId, goldenId: newGoldenId, state: 'MATCH', how: 'AUTO', rule: 'unlinked', by }, at, recordedAt);
    await rebuildGolden(trx, newGoldenId, opts.survivorship ?? DEFAULT_SURVIVORSHIP);
    await rebuildGolden(trx, goldenId, opts.survivorship ?? DEFAULT_SURVIVORSHIP);
    return { newGoldenId };
  });
}

/** A person says the source is that golden: MATCH MANUAL, which the machine never changes. */
export async function link(db: Db, sourceId: string, goldenId: string, by: string, opts: StewardOptions = {}): Promise<void> {
  await inTransaction(db, async (trx) => {
    const at = opts.at ?? new Date();
    const recordedAt = opts.recordedAt ?? new Date();
    const golden = await trx.selectFrom('mpi_golden').select('id').where('id', '=', goldenId).executeTakeFirst();
    if (!golden) throw notFound(`no golden record ${goldenId}`);
    const old = await requireLink(trx, sourceId);
    await replaceLink(trx, old, { sourceId, goldenId, state: 'MATCH', how: 'MANUAL', rule: 'manual', by }, at, recordedAt);
    // The person's word replaces earlier do-not-match instructions for this pair.
    await trx.deleteFrom('mpi_no_match').where('source_id', '=', sourceId).where('golden_id', '=', goldenId).execute();
    await rebuildGolden(trx, goldenId, opts.survivorship ?? DEFAULT_SURVIVORSHIP);
    if (old.golden_id !== goldenId) await rebuildGolden(trx, old.golden_id, opts.survivorship ?? DEFAULT_SURVIVORSHIP);
  });
}
