import type { Patient } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { LinkHow } from '../db/tables/identity.table.js';
import { OperationOutcomeError, invalidIssue } from '../fhir/outcomes.js';
import { findCandidateGoldens, lockBlockingKeys, lockKeysOf, sourceKeyColumns } from './blocking.sql.js';
import { thresholdWeight } from './model.js';
import type { MatchGrade } from './decision.js';
import { DEFAULT_SURVIVORSHIP, uniqueSystems } from './golden-record.js';
import { DEFAULT_MAX_BLOCK_SIZE, type IdentityDeps } from './identity-deps.js';
import { decideLink, hasPlaceholderName, type IdentifierHit, type LinkRule, type ScoredGolden } from './link-decision.js';
import { createGoldenFor, currentLinkOf, doNotMatchGoldens, flagDuplicate, inTransaction, matchMembers, rebuildGolden, replaceLink } from './link-store.js';
import { personFromPatient, type Person } from './person.js';
import { goldenWeight, scoreAgainstGolden, type GoldenScore } from './scoring.js';
import { readTermFrequencies, updateTermCounts } from './term-frequency.repository.js';

export interface IndexMeta {
  /** Valid time: when the source system said it (message time, Patient.meta.lastUpdated). */
  at: Date;
  /** Transaction time; defaults to now. */
  recordedAt?: Date;
  /** Who or what asked (message id, user): stored on the link. */
  by?: string;
}

/** What the index decided for one source record, with the evidence. */
export interface LinkDecision {
  sourceId: string;
  goldenId: string;
  state: 'MATCH' | 'POSSIBLE_MATCH';
  how: LinkHow;
  rule: LinkRule;
  weight?: number;
  probability?: number;
  grade?: MatchGrade;
  newGolden: boolean;
  /** False when a re-index left the link as it was. */
  changed: boolean;
  /** Goldens flagged POSSIBLE_DUPLICATE with `goldenId` by this decision. */
  possibleDuplicates: string[];
  candidateGoldens: number;
  skippedBlocks: number;
}

/** Waterfall stored on the link: parts plus which golden source gave each part's evidence. */
export function explanationOf(score: GoldenScore, members: readonly { id: string }[]) {
  return { weight: score.weight, probability: score.probability, parts: score.parts.map((p, k) => ({ ...p, source: members[score.sourceIndex[k] ?? -1]?.id })) };
}

/**
 * Index one source Patient (new or an update, e.g. ADT A08): store it with its blocking keys,
 * then link it to exactly one golden record. Runs in the caller's transaction (or its own) and
 * takes advisory locks on the blocking keys first, so concurrent arrivals of one new person end
 * with one golden record. MANUAL links are never changed; do-not-match instructions are honoured.
 */
export async function indexSourcePatient(db: Db, patient: Patient, meta: IndexMeta, deps: IdentityDeps): Promise<LinkDecision> {
  if (!patient.id) throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [invalidIssue('a source Patient needs an id to be indexed', 'Patient.id')] });
  const person = personFromPatient(patient, deps.reference);
  return inTransaction(db, (trx) => indexInTransaction(trx, patient, patient.id as string, person, meta, deps));
}

async function indexInTransaction(db: Db, patient: Patient, id: string, person: Person, meta: IndexMeta, deps: IdentityDeps): Promise<LinkDecision> {
  const recordedAt = meta.recordedAt ?? new Date();
  const profile = deps.survivorship ?? DEFAULT_SURVIVORSHIP;
  await lockBlockingKeys(db, lockKeysOf(person, id));
  const before = await db.selectFrom('mpi_source').select('person').where('id', '=', id).executeTakeFirst();
  await storeSource(db, id, patient, person, meta.at, recordedAt);
  await updateTermCounts(db, id, before?.person as Person | undefined, person, deps.model);

  const current = await currentLinkOf(db, id);
  const base = { sourceId: id, possibleDuplicates: [] as string[], candidateGoldens: 0, skippedBlocks: 0, newGolden: false, changed: false };
  if (current?.how === 'MANUAL') {
    await rebuildGolden(db, current.golden_id, profile);
    return { ...base, goldenId: current.golden_id, state: current.state as 'MATCH' | 'POSSIBLE_MATCH', how: 'MANUAL', rule: 'manual-kept' };
  }

  const excluded = await doNotMatchGoldens(db, id);
  const search = await findCandidateGoldens(db, person, { cap: deps.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE, states: ['MATCH', 'POSSIBLE_MATCH'], excludeSourceId: id, ...(deps.logger ? { logger: deps.logger } : {}) });
  const hits = await identifierHits(db, person, id, uniqueSystems(profile));
  const goldenIds = new Set<string>(search.goldenIds);
  for (const h of hits) for (const g of h.goldenIds) goldenIds.add(g);
  if (current) goldenIds.add(current.golden_id);
  for (const g of excluded) goldenIds.delete(g);
  // Goldens reached by identifier or the current link only: their members are one more read.
  const found = new Set(search.goldenIds);
  const members = new Map([...search.members].filter(([g]) => goldenIds.has(g)));
  const others = [...goldenIds].filter((g) => !found.has(g));
  if (others.length) for (const [g, list] of await matchMembers(db, others, id)) members.set(g, list);
  const tf = await readTermFrequencies(db, person, deps.model);

  // Weights first (cheap); full explanations only for goldens that could matter.
  const floor = thresholdWeight(deps.model.thresholds.possible);
  const scored: ScoredGolden[] = [];
  for (const [goldenId, list] of members) {
    const persons = list.map((m) => m.person);
    const fast = goldenWeight(person, persons, deps.model, tf, 'best-pair');
    const forced = hits.some((h) => h.goldenIds.includes(goldenId));
    if (fast < floor && !forced) continue;
    const score = scoreAgainstGolden(person, persons, deps.model, tf);
    if (score) scored.push({ goldenId, score });
  }
  const placeholderGoldens = new Set([...members].filter(([, list]) => list.length && list.every((m) => hasPlaceholderName(m.person))).map(([g]) => g));
  const plan = decideLink({ record: person, model: deps.model, scored, placeholderGoldens, identifierHits: hits.map((h) => ({ ...h, goldenIds: h.goldenIds.filter((g) => !excluded.has(g)) })) });

  let goldenId = plan.goldenId;
  let newGolden = false;
  if (!goldenId) {
    // A re-indexed source alone in its golden keeps it rather than getting a fresh one.
    if (current && !members.get(current.golden_id)?.length) goldenId = current.golden_id;
    else {
      // Its only source is this one, linked MATCH below: inserted built rather than created and rebuilt.
      goldenId = await createGoldenFor(db, { id, patient, validAt: meta.at }, profile);
      newGolden = true;
    }
  }
  const changed = !current || current.golden_id !== goldenId || current.state !== plan.state;
  if (changed) {
    const explanation = plan.score ? explanationOf(plan.score as GoldenScore, members.get(goldenId) ?? []) : undefined;
    await replaceLink(
      db,
      current,
      {
        sourceId: id,
        goldenId,
        state: plan.state,
        how: 'AUTO',
        rule: plan.rule,
        ...(plan.score ? { score: plan.score.weight, probability: plan.score.probability } : {}),
        ...(explanation ? { explanation } : {}),
        ...(meta.by ? { by: meta.by } : {}),
      },
      meta.at,
      recordedAt,
    );
  }
  if (!newGolden) await rebuildGolden(db, goldenId, profile);
  if (current && current.golden_id !== goldenId) await rebuildGolden(db, current.golden_id, profile);
  const flagged: string[] = [];
  for (const other of plan.duplicates) {
    if (await flagDuplicate(db, goldenId, other, { rule: plan.rule, ...(plan.score ? { score: plan.score.weight, probability: plan.score.probability } : {}) }, meta.at, recordedAt)) flagged.push(other);
  }
  return {
    sourceId: id,
    goldenId,
    state: plan.state,
    how: 'AUTO',
    rule: plan.rule,
    ...(plan.score ? { weight: plan.score.weight, probability: plan.score.probability } : {}),
    ...(plan.grade ? { grade: plan.grade } : {}),
    newGolden,
    changed,
    possibleDuplicates: flagged,
    candidateGoldens: goldenIds.size,
    skippedBlocks: search.skipped.length,
  };
}

async function storeSource(db: Db, id: string, patient: Patient, person: Person, validAt: Date, recordedAt: Date): Promise<void> {
  const row = { id, resource: JSON.stringify(patient), person: JSON.stringify(person), ...sourceKeyColumns(person), valid_at: validAt, recorded_at: recordedAt };
  await db
    .insertInto('mpi_source')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, version: sql`mpi_source.version + 1` }))
    .execute();
  await db.deleteFrom('mpi_identifier').where('source_id', '=', id).execute();
  const ids = [...new Map(person.identifiers.map((i) => [`${i.system}|${i.value}`, i])).values()];
  if (ids.length) await db.insertInto('mpi_identifier').values(ids.map((i) => ({ system: i.system, value: i.value, source_id: id }))).execute();
}

async function identifierHits(db: Db, person: Person, id: string, unique: ReadonlySet<string>): Promise<IdentifierHit[]> {
  if (!person.identifiers.length) return [];
  const rows = await db
    .selectFrom('mpi_identifier as i')
    .innerJoin('mpi_link as l', 'l.source_id', 'i.source_id')
    .select(['i.system', 'l.golden_id'])
    .distinct()
    .where((eb) => eb.or(person.identifiers.map((x) => eb.and([eb('i.system', '=', x.system), eb('i.value', '=', x.value)]))))
    .where('i.source_id', '<>', id)
    .where('l.state', '=', 'MATCH')
    .where('l.recorded_to', 'is', null)
    .where('l.valid_to', 'is', null)
    .execute();
  const bySystem = new Map<string, string[]>();
  for (const r of rows) bySystem.set(r.system, [...(bySystem.get(r.system) ?? []), r.golden_id]);
  return [...bySystem].map(([system, goldenIds]) => ({ system, unique: unique.has(system), goldenIds }));
}
