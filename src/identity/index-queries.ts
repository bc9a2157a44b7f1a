import type { Identifier, Patient } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { LinkState } from '../db/tables/identity.table.js';
import { findCandidateGoldens } from './blocking.sql.js';
import { gradeScore } from './decision.js';
import { DEFAULT_SURVIVORSHIP } from './golden-record.js';
import { DEFAULT_MAX_BLOCK_SIZE, type IdentityDeps } from './identity-deps.js';
import { hasPlaceholderName } from './link-decision.js';
import { isCurrent } from './link-store.js';
import { thresholdWeight } from './model.js';
import { personFromPatient } from './person.js';
import { scoreAgainstGolden } from './scoring.js';
import { readTermFrequencies } from './term-frequency.repository.js';

/** IHE PDQm / FHIR match-grade codes. See: http://hl7.org/fhir/StructureDefinition/match-grade */
export const MATCH_GRADE_CODES = ['certain', 'probable', 'possible', 'certainly-not'] as const;
export type MatchGradeCode = (typeof MATCH_GRADE_CODES)[number];

export interface GoldenMatch {
  goldenId: string;
  golden: Patient;
  probability: number;
  weight: number;
  grade: MatchGradeCode;
}

/**
 * Score a Patient against the index without storing anything ($match): candidate goldens by the
 * same blocking SQL, graded certain (an automatic link would be made), probable (above the match
 * threshold but not corroborated), possible (review band), certainly-not; best first.
 */
export async function matchPatient(db: Db, patient: Patient, deps: IdentityDeps, opts: { onlyCertain?: boolean; count?: number } = {}): Promise<GoldenMatch[]> {
  const person = personFromPatient(patient, deps.reference);
  const { members } = await findCandidateGoldens(db, person, { cap: deps.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE, states: ['MATCH'], ...(deps.logger ? { logger: deps.logger } : {}) });
  if (!members.size) return [];
  const tf = await readTermFrequencies(db, person, deps.model);
  const matchWeight = thresholdWeight(deps.model.thresholds.match);
  const out: Omit<GoldenMatch, 'golden'>[] = [];
  for (const [goldenId, list] of members) {
    const score = scoreAgainstGolden(person, list.map((m) => m.person), deps.model, tf);
    if (!score) continue;
    const g = gradeScore(score, person, deps.model);
    const grade: MatchGradeCode = g === 'match' && !hasPlaceholderName(person) ? 'certain' : g === 'no-match' ? 'certainly-not' : score.weight >= matchWeight ? 'probable' : 'possible';
    out.push({ goldenId, weight: score.weight, probability: score.probability, grade });
  }
  const ranked = out
    .filter((m) => m.grade !== 'certainly-not' && (!opts.onlyCertain || m.grade === 'certain'))
    .sort((a, b) => b.weight - a.weight)
    .slice(0, opts.count ?? 10);
  if (!ranked.length) return [];
  const goldens = await db.selectFrom('mpi_golden').select(['id', 'resource']).where('id', 'in', ranked.map((r) => r.goldenId)).execute();
  const byId = new Map(goldens.map((g) => [g.id, g.resource as unknown as Patient]));
  return ranked.map((r) => ({ ...r, golden: byId.get(r.goldenId) as Patient }));
}

export type PixResult = { kind: 'unknown-system' } | { kind: 'unknown-target-system'; system: string } | { kind: 'not-found' } | { kind: 'found'; goldenIds: string[]; identifiers: Identifier[]; sourceIds: string[] };

/** Systems the index knows: declared authorities and every system it has seen. */
async function knownSystem(db: Db, system: string, deps: Pick<IdentityDeps, 'survivorship'>): Promise<boolean> {
  if ((deps.survivorship ?? DEFAULT_SURVIVORSHIP).authorities.some((a) => a.system === system)) return true;
  return Boolean(await db.selectFrom('mpi_identifier').select('system').where('system', '=', system).limit(1).executeTakeFirst());
}

/**
 * IHE PIXm ITI-83: every identifier (optionally of the target systems) of the sources linked
 * (MATCH) to the golden record(s) of the given identifier.
 */
export async function pixLookup(db: Db, system: string, value: string, targetSystems: readonly string[], deps: Pick<IdentityDeps, 'survivorship'>): Promise<PixResult> {
  if (!(await knownSystem(db, system, deps))) return { kind: 'unknown-system' };
  for (const t of targetSystems) if (!(await knownSystem(db, t, deps))) return { kind: 'unknown-target-system', system: t };
  const goldens = await db
    .selectFrom('mpi_identifier as i')
    .innerJoin('mpi_link', 'mpi_link.source_id', 'i.source_id')
    .select('mpi_link.golden_id')
    .distinct()
    .where('i.system', '=', system)
    .where('i.value', '=', value.trim().toUpperCase())
    .where('mpi_link.state', '=', 'MATCH')
    .where(isCurrent)
    .execute();
  if (!goldens.length) return { kind: 'not-found' };
  const goldenIds = goldens.map((g) => g.golden_id);
  const sources = await db
    .selectFrom('mpi_link')
    .innerJoin('mpi_source', 'mpi_source.id', 'mpi_link.source_id')
    .select(['mpi_source.id', 'mpi_source.resource'])
    .where('mpi_link.golden_id', 'in', goldenIds)
    .where('mpi_link.state', '=', 'MATCH')
    .where(isCurrent)
    .orderBy('mpi_source.id')
    .execute();
  const seen = new Set<string>();
  const identifiers: Identifier[] = [];
  const sourceIds: string[] = [];
  for (const s of sources) {
    const ids = ((s.resource as unknown as Patient).identifier ?? []).filter((i) => i.system && i.value && (!targetSystems.length || targetSystems.includes(i.system)));
    if (targetSystems.length && !ids.length) continue;
    sourceIds.push(s.id);
    for (const i of ids) {
      const k = `${i.system}|${i.value}`;
      if (seen.has(k) || (i.system === system && i.value?.trim().toUpperCase() === value.trim().toUpperCase())) continue;
      seen.add(k);
      identifiers.push({ ...(i.use ? { use: i.use } : {}), system: i.system, value: i.value });
    }
  }
  return { kind: 'found', goldenIds, identifiers, sourceIds };
}

/** One row of `sinew mpi links` / `GET /admin/identity/links`. */
export interface LinkExportRow {
  system: string;
  value: string;
  record: string;
  golden: string;
  state: LinkState;
  score: number | null;
}

export const LINK_EXPORT_COLUMNS = ['system', 'value', 'record', 'golden', 'state', 'score'] as const;

/**
 * One row per identifier of every source (a source without identifiers gets one row with empty
 * system and value), with its current link: a source under review is counted with the golden it
 * is provisionally linked to; a MATCH to a golden flagged POSSIBLE_DUPLICATE reads POSSIBLE_DUPLICATE.
 * `includeNoMatch` adds a row per do-not-match link (golden = the golden it must not join).
 */
export async function exportLinks(db: Db, opts: { includeNoMatch?: boolean } = {}): Promise<LinkExportRow[]> {
  const states = opts.includeNoMatch ? ['MATCH', 'POSSIBLE_MATCH', 'NO_MATCH'] : ['MATCH', 'POSSIBLE_MATCH'];
  const { rows } = await sql<{ system: string | null; value: string | null; record: string; golden: string; state: LinkState; score: number | null; flagged: boolean }>`
    SELECT i.system, i.value, l.source_id AS record, l.golden_id AS golden, l.state, l.probability AS score,
           EXISTS (SELECT 1 FROM mpi_link d WHERE d.state = 'POSSIBLE_DUPLICATE' AND d.recorded_to IS NULL AND d.valid_to IS NULL
                    AND (d.golden_id = l.golden_id OR d.other_golden_id = l.golden_id)) AS flagged
      FROM mpi_link l
      LEFT JOIN mpi_identifier i ON i.source_id = l.source_id
     WHERE l.recorded_to IS NULL AND l.valid_to IS NULL AND l.source_id IS NOT NULL AND l.state IN (${sql.join(states)})
     ORDER BY l.source_id, l.state, i.system, i.value`.execute(db);
  return rows.map((r) => ({
    system: r.system ?? '',
    value: r.value ?? '',
    record: r.record,
    golden: r.golden,
    state: r.state === 'MATCH' && r.flagged ? 'POSSIBLE_DUPLICATE' : r.state,
    score: r.score,
  }));
}

export interface ReviewItem {
  linkId: string;
  state: 'POSSIBLE_MATCH' | 'POSSIBLE_DUPLICATE';
  sourceId: string | null;
  goldenId: string;
  otherGoldenId: string | null;
  rule: string;
  score: number | null;
  probability: number | null;
  explanation: unknown;
  since: Date;
}

/** The steward's queue: current POSSIBLE_MATCH and POSSIBLE_DUPLICATE links, oldest first. */
export async function reviewQueue(db: Db, limit = 100): Promise<ReviewItem[]> {
  const rows = await db.selectFrom('mpi_link').selectAll().where('state', 'in', ['POSSIBLE_MATCH', 'POSSIBLE_DUPLICATE']).where(isCurrent).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    linkId: String(r.id),
    state: r.state as ReviewItem['state'],
    sourceId: r.source_id,
    goldenId: r.golden_id,
    otherGoldenId: r.other_golden_id,
    rule: r.rule,
    score: r.score,
    probability: r.probability,
    explanation: r.explanation,
    since: r.recorded_from,
  }));
}

/** CSV with RFC 4180 quoting, header first. */
export function linksToCsv(rows: readonly LinkExportRow[]): string {
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = rows.map((r) => [r.system, r.value, r.record, r.golden, r.state, r.score === null ? '' : r.score.toFixed(6)].map(q).join(','));
  return `${[LINK_EXPORT_COLUMNS.join(','), ...lines].join('\n')}\n`;
}
