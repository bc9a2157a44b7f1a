import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { blockKey, branchesOf, sourceKeyColumns, type Branch } from './blocking.sql.js';
import { TOTAL_TERMS, termsOf } from './term-frequency.repository.js';
import type { MatchModel } from './model.js';
import type { Person } from './person.js';

/**
 * What the database already holds that a batch of new sources can reach, read in a handful of
 * set-based queries instead of ~15 round trips per record. The batch is then linked in memory
 * (bulk-link.ts) against this snapshot plus the batch's own earlier records.
 */
export interface IndexSnapshot {
  /** Block key → stored source ids, at most cap + 1 (as the one-at-a-time search sees them). */
  blocks: Map<string, string[]>;
  /** Source id → its current MATCH / POSSIBLE_MATCH link. */
  links: Map<string, { goldenId: string; state: 'MATCH' | 'POSSIBLE_MATCH' }>;
  /** Golden id → its current MATCH sources, ordered by id. */
  members: Map<string, { id: string; person: Person }[]>;
  /** `system|value` → goldens whose MATCH sources carry that identifier. */
  identifierGoldens: Map<string, Set<string>>;
  /** Term counts (`comparison|term`) and per-comparison totals (`comparison|`). */
  termCounts: Map<string, number>;
  /** Current POSSIBLE_DUPLICATE pairs as `golden|other` (canonical order). */
  duplicateFlags: Set<string>;
}

export const identifierKey = (system: string, value: string) => `identifier=${system}\u0001${value}`;
export const termKey = (comparison: string, term: string) => `${comparison}\u0001${term}`;

/** Every block a record's search reads: its SQL branches plus one per identifier. */
export function searchBlocks(p: Person): { key: string; where: Branch['where'] | undefined }[] {
  const out: { key: string; where: Branch['where'] | undefined }[] = branchesOf(sourceKeyColumns(p)).map((b) => ({ key: blockKey(b.where), where: b.where }));
  for (const i of p.identifiers) out.push({ key: identifierKey(i.system, i.value), where: undefined });
  return out;
}

const CURRENT = sql`l.recorded_to IS NULL AND l.valid_to IS NULL`;

export async function readSnapshot(db: Db, persons: readonly Person[], model: MatchModel, cap: number): Promise<IndexSnapshot> {
  const blocks = await readBlocks(db, persons, cap);
  const identifiers = [...new Map(persons.flatMap((p) => p.identifiers).map((i) => [identifierKey(i.system, i.value), i])).values()];
  const identifierGoldens = new Map<string, Set<string>>();
  if (identifiers.length) {
    const { rows } = await sql<{ system: string; value: string; golden_id: string }>`
      SELECT DISTINCT i.system, i.value, l.golden_id
        FROM unnest(${identifiers.map((i) => i.system)}::text[], ${identifiers.map((i) => i.value)}::text[]) AS k(system, value)
        JOIN mpi_identifier i ON i.system = k.system AND i.value = k.value
        JOIN mpi_link l ON l.source_id = i.source_id
       WHERE l.state = 'MATCH' AND ${CURRENT}`.execute(db);
    for (const r of rows) addTo(identifierGoldens, identifierKey(r.system, r.value), r.golden_id);
  }

  const sourceIds = [...new Set([...blocks.values()].flat())];
  const links = new Map<string, { goldenId: string; state: 'MATCH' | 'POSSIBLE_MATCH' }>();
  if (sourceIds.length) {
    const { rows } = await sql<{ source_id: string; golden_id: string; state: 'MATCH' | 'POSSIBLE_MATCH' }>`
      SELECT l.source_id, l.golden_id, l.state FROM mpi_link l
       WHERE l.source_id = ANY(${sourceIds}::text[]) AND l.state IN ('MATCH', 'POSSIBLE_MATCH') AND ${CURRENT}`.execute(db);
    for (const r of rows) links.set(r.source_id, { goldenId: r.golden_id, state: r.state });
  }

  const goldenIds = [...new Set([...[...links.values()].map((l) => l.goldenId), ...[...identifierGoldens.values()].flatMap((s) => [...s])])];
  const members = new Map<string, { id: string; person: Person }[]>();
  const duplicateFlags = new Set<string>();
  if (goldenIds.length) {
    const { rows } = await sql<{ golden_id: string; id: string; person: Person }>`
      SELECT l.golden_id, s.id, s.person FROM mpi_link l JOIN mpi_source s ON s.id = l.source_id
       WHERE l.golden_id = ANY(${goldenIds}::text[]) AND l.state = 'MATCH' AND ${CURRENT}
       ORDER BY s.id`.execute(db);
    for (const r of rows) {
      const list = members.get(r.golden_id) ?? [];
      list.push({ id: r.id, person: r.person });
      members.set(r.golden_id, list);
    }
    const flags = await sql<{ golden_id: string; other_golden_id: string }>`
      SELECT l.golden_id, l.other_golden_id FROM mpi_link l
       WHERE l.golden_id = ANY(${goldenIds}::text[]) AND l.state = 'POSSIBLE_DUPLICATE' AND ${CURRENT}`.execute(db);
    for (const r of flags.rows) duplicateFlags.add(`${r.golden_id}|${r.other_golden_id}`);
  }

  return { blocks, links, members, identifierGoldens, termCounts: await readTermCounts(db, persons, model), duplicateFlags };
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

/**
 * One query per column set: each distinct block value is an index range scan capped at cap + 1
 * rows (LATERAL … LIMIT), exactly what findCandidateSources reads per record.
 */
async function readBlocks(db: Db, persons: readonly Person[], cap: number): Promise<Map<string, string[]>> {
  const byColumns = new Map<string, Map<string, Branch['where']>>();
  const identifiers = new Map<string, { system: string; value: string }>();
  for (const p of persons) {
    for (const b of searchBlocks(p)) {
      if (!b.where) continue;
      const cols = b.where.map(([c]) => c).join(',');
      const group = byColumns.get(cols) ?? new Map<string, Branch['where']>();
      group.set(b.key, b.where);
      byColumns.set(cols, group);
    }
    for (const i of p.identifiers) identifiers.set(identifierKey(i.system, i.value), i);
  }
  const out = new Map<string, string[]>();
  const limit = cap + 1;
  for (const group of byColumns.values()) {
    const entries = [...group.entries()];
    const columns = (entries[0] as [string, Branch['where']])[1].map(([c]) => c);
    const arrays = columns.map((_, n) => sql`${entries.map(([, where]) => (where[n] as [string, string])[1])}::text[]`);
    const aliases = columns.map((_, n) => sql.raw(`c${n}`));
    const match = sql.join(
      columns.map((c, n) => sql`s.${sql.ref(c)} = k.${aliases[n]}`),
      sql` AND `,
    );
    const { rows } = await sql<{ n: string; id: string }>`
      SELECT k.n, s.id FROM unnest(${sql.join(arrays)}) WITH ORDINALITY AS k(${sql.join(aliases)}, n)
      CROSS JOIN LATERAL (SELECT s.id FROM mpi_source s WHERE ${match} LIMIT ${limit}) s`.execute(db);
    for (const r of rows) push(out, (entries[Number(r.n) - 1] as [string, Branch['where']])[0], r.id);
  }
  if (identifiers.size) {
    const entries = [...identifiers.entries()];
    const { rows } = await sql<{ n: string; id: string }>`
      SELECT k.n, s.source_id AS id
        FROM unnest(${entries.map(([, i]) => i.system)}::text[], ${entries.map(([, i]) => i.value)}::text[]) WITH ORDINALITY AS k(system, value, n)
      CROSS JOIN LATERAL (SELECT i.source_id FROM mpi_identifier i WHERE i.system = k.system AND i.value = k.value LIMIT ${limit}) s`.execute(db);
    for (const r of rows) push(out, (entries[Number(r.n) - 1] as [string, unknown])[0], r.id);
  }
  return out;
}

function push(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
}

async function readTermCounts(db: Db, persons: readonly Person[], model: MatchModel): Promise<Map<string, number>> {
  const wanted = new Map<string, { comparison: string; term: string }>();
  const comparisons = new Set<string>();
  for (const p of persons) {
    for (const [comparison, term] of termsOf(p, model)) {
      wanted.set(termKey(comparison, term), { comparison, term });
      comparisons.add(comparison);
    }
  }
  const out = new Map<string, number>();
  if (!wanted.size) return out;
  const pairs = [...wanted.values()];
  const { rows } = await sql<{ comparison: string; term: string; count: number }>`
    SELECT t.comparison, t.term, t.count FROM mpi_term_frequency t
      JOIN unnest(${pairs.map((x) => x.comparison)}::text[], ${pairs.map((x) => x.term)}::text[]) AS k(comparison, term)
        ON t.comparison = k.comparison AND t.term = k.term`.execute(db);
  for (const r of rows) out.set(termKey(r.comparison, r.term), r.count);
  const totals = await sql<{ comparison: string; total: string }>`
    SELECT comparison, sum(count) AS total FROM mpi_term_frequency
     WHERE comparison = ANY(${[...comparisons]}::text[]) AND term = ANY(${[...TOTAL_TERMS]}::text[]) GROUP BY comparison`.execute(db);
  for (const r of totals.rows) out.set(termKey(r.comparison, ''), Number(r.total));
  return out;
}
