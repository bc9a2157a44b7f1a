import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { MpiSourceKeyColumns } from '../db/tables/identity.table.js';
import type { IdentityLogger } from './identity-deps.js';
import type { MemberSource } from './link-store.js';
import type { Person } from './person.js';

export type SourceKeyColumns = MpiSourceKeyColumns;

export type Column = keyof SourceKeyColumns;

/**
 * Phonetic keys are the TypeScript double metaphone (the same codes scoring uses), not SQL
 * dmetaphone(): one implementation, so a key and a comparison level can never disagree.
 */
export function sourceKeyColumns(p: Person): SourceKeyColumns {
  const given = p.given[0] ?? null;
  return {
    given_first: given,
    family: p.family || null,
    given_phonetic: p.derived?.givenPhonetic[0] || null,
    family_phonetic: p.derived?.familyPhonetic[0] || null,
    given_initial: given?.[0] ?? null,
    family_initial: p.family[0] ?? null,
    birth_date: p.birthDate?.length === 10 ? p.birthDate : null,
    birth_year: p.birthDate?.slice(0, 4) ?? null,
    postcode: p.address?.postalCode ?? null,
    phone: p.phone[0] ?? null,
  };
}

export interface Branch {
  name: string;
  where: [Column, string | null][];
}

/** The UNION branches (mirrors LINK_RULES of blocking.ts; swapped names are a real swap here). */
export function branchesOf(k: SourceKeyColumns): Branch[] {
  return [
    { name: 'names', where: [['given_first', k.given_first], ['family', k.family]] },
    { name: 'swapped-names', where: [['given_first', k.family], ['family', k.given_first]] },
    { name: 'family-phonetic-year', where: [['family_phonetic', k.family_phonetic], ['birth_year', k.birth_year]] },
    { name: 'given-phonetic-birth-date', where: [['given_phonetic', k.given_phonetic], ['birth_date', k.birth_date]] },
    { name: 'birth-date-given-initial', where: [['birth_date', k.birth_date], ['given_initial', k.given_initial]] },
    { name: 'birth-date-family-initial', where: [['birth_date', k.birth_date], ['family_initial', k.family_initial]] },
    { name: 'postcode-family-initial', where: [['postcode', k.postcode], ['family_initial', k.family_initial]] },
    { name: 'postcode-given-initial', where: [['postcode', k.postcode], ['given_initial', k.given_initial]] },
    { name: 'phone', where: [['phone', k.phone]] },
    { name: 'family-phonetic-given-phonetic', where: [['family_phonetic', k.family_phonetic], ['given_phonetic', k.given_phonetic]] },
  ].filter((b) => b.where.every(([, v]) => v !== null)) as Branch[];
}

/** A block as columns and values: a search branch and the stored sources it reaches share this key. */
export function blockKey(where: Branch['where']): string {
  return `${where.map(([c]) => c).join(',')}=${where.map(([, v]) => v).join('\u0001')}`;
}

/** The blocks a stored source sits in: every branch of its own keys but the swap (same columns as names). */
export function ownBlockKeys(k: SourceKeyColumns): string[] {
  return branchesOf(k)
    .filter((b) => b.name !== 'swapped-names')
    .map((b) => blockKey(b.where));
}

/**
 * Keys to lock before searching: two records that could block together share at least one.
 * Names are locked unordered so a record and its swapped twin serialise too.
 */
export function lockKeysOf(p: Person, sourceId?: string): string[] {
  const k = sourceKeyColumns(p);
  const keys = branchesOf(k)
    .filter((b) => b.name !== 'swapped-names')
    .map((b) => (b.name === 'names' ? `names:${[k.given_first, k.family].sort().join('|')}` : `${b.name}:${b.where.map(([, v]) => v).join('|')}`));
  for (const i of p.identifiers) keys.push(`identifier:${i.system}|${i.value}`);
  if (sourceId) keys.push(`source:${sourceId}`);
  return [...new Set(keys)];
}

export function lockHash(key: string): bigint {
  return createHash('sha256').update(key).digest().readBigInt64BE(0);
}

/**
 * Take a transaction-scoped advisory lock on every key, in hash order so that two transactions
 * never wait on each other crosswise. Must run inside the caller's transaction.
 */
export async function lockBlockingKeys(db: Db, keys: readonly string[]): Promise<void> {
  const hashes = [...new Set(keys.map(lockHash))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
  if (!hashes.length) return;
  // unnest … WITH ORDINALITY feeds the function in array order: the locks are taken sorted.
  await sql`SELECT pg_advisory_xact_lock(h) FROM unnest(${hashes}::bigint[]) WITH ORDINALITY AS t(h, n)`.execute(db);
}

export interface CandidateSearch {
  sourceIds: string[];
  /** Blocks larger than the cap, skipped: branch name and the count seen (cap + 1 at most). */
  skipped: { block: string; size: number }[];
}

/** The UNION ALL of capped index range scans, one per branch and identifier; undefined when the record has no key. */
function blockScans(p: Person, cap: number): RawBuilder<unknown> | undefined {
  const limit = cap + 1;
  const parts: RawBuilder<unknown>[] = branchesOf(sourceKeyColumns(p)).map((b) => {
    const where = sql.join(b.where.map(([col, v]) => sql`${sql.ref(col)} = ${v}`), sql` AND `);
    return sql`(SELECT ${b.name}::text AS block, id FROM mpi_source WHERE ${where} LIMIT ${limit})`;
  });
  p.identifiers.forEach((i, n) => {
    parts.push(sql`(SELECT ${`identifier-${n}`}::text AS block, source_id AS id FROM mpi_identifier WHERE system = ${i.system} AND value = ${i.value} LIMIT ${limit})`);
  });
  return parts.length ? sql.join(parts, sql` UNION ALL `) : undefined;
}

export interface CandidateGoldens {
  /** Goldens the candidate sources are currently linked to (in the states asked for). */
  goldenIds: string[];
  /** Current MATCH sources of those goldens, ordered by id (goldens without one are absent). */
  members: Map<string, MemberSource[]>;
  skipped: CandidateSearch['skipped'];
}

/**
 * Blocking, the candidates' goldens and those goldens' MATCH sources in one round trip: the same
 * capped scans as findCandidateSources (a block over the cap is dropped whole, in SQL), then the
 * links and members, so a match costs one statement instead of three.
 */
export async function findCandidateGoldens(
  db: Db,
  p: Person,
  opts: { cap: number; states: readonly ('MATCH' | 'POSSIBLE_MATCH')[]; excludeSourceId?: string; logger?: IdentityLogger },
): Promise<CandidateGoldens> {
  const scans = blockScans(p, opts.cap);
  if (!scans) return { goldenIds: [], members: new Map(), skipped: [] };
  const exclude = opts.excludeSourceId ?? null;
  const { rows } = await sql<{ kind: 'skipped' | 'golden' | 'member'; golden_id: string; id: string | null; person: Person | null; n: string | null }>`
    WITH hits AS (${scans}),
    sizes AS (SELECT block, count(*) AS n FROM hits GROUP BY block),
    candidates AS (SELECT DISTINCT h.id FROM hits h JOIN sizes s ON s.block = h.block WHERE s.n <= ${opts.cap} AND h.id IS DISTINCT FROM ${exclude}::text),
    goldens AS (
      SELECT DISTINCT l.golden_id FROM candidates c JOIN mpi_link l ON l.source_id = c.id
       WHERE l.state IN (${sql.join([...opts.states])}) AND l.recorded_to IS NULL AND l.valid_to IS NULL)
    SELECT 'skipped' AS kind, block AS golden_id, NULL::text AS id, NULL::jsonb AS person, n FROM sizes WHERE n > ${opts.cap}
    UNION ALL SELECT 'golden', golden_id, NULL, NULL, NULL FROM goldens
    UNION ALL
    SELECT 'member', l.golden_id, s.id, s.person, NULL FROM goldens g
      JOIN mpi_link l ON l.golden_id = g.golden_id JOIN mpi_source s ON s.id = l.source_id
     WHERE l.state = 'MATCH' AND l.recorded_to IS NULL AND l.valid_to IS NULL AND s.id IS DISTINCT FROM ${exclude}::text`.execute(db);
  const out: CandidateGoldens = { goldenIds: [], members: new Map(), skipped: [] };
  const members: { goldenId: string; id: string; person: Person }[] = [];
  for (const r of rows) {
    if (r.kind === 'skipped') out.skipped.push({ block: r.golden_id, size: Number(r.n) });
    else if (r.kind === 'golden') out.goldenIds.push(r.golden_id);
    else members.push({ goldenId: r.golden_id, id: r.id as string, person: r.person as Person });
  }
  // Ordered by source id as matchMembers orders them: best-pair ties go to the same source.
  members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const m of members) {
    const list = out.members.get(m.goldenId);
    if (list) list.push({ id: m.id, person: m.person });
    else out.members.set(m.goldenId, [{ id: m.id, person: m.person }]);
  }
  if (out.skipped.length) opts.logger?.warn({ skipped: out.skipped, cap: opts.cap }, 'mpi blocking: oversized blocks skipped');
  return out;
}

/**
 * Candidate source ids: a UNION of index range scans, each capped at `cap + 1` rows; a branch that
 * fills its cap is dropped whole (a placeholder or a very common name must not explode the work).
 */
export async function findCandidateSources(db: Db, p: Person, opts: { cap: number; excludeSourceId?: string; logger?: IdentityLogger }): Promise<CandidateSearch> {
  const scans = blockScans(p, opts.cap);
  if (!scans) return { sourceIds: [], skipped: [] };
  const { rows } = await sql<{ block: string; id: string }>`${scans}`.execute(db);
  const byBlock = new Map<string, string[]>();
  for (const r of rows) {
    const list = byBlock.get(r.block) ?? [];
    list.push(r.id);
    byBlock.set(r.block, list);
  }
  const ids = new Set<string>();
  const skipped: CandidateSearch['skipped'] = [];
  for (const [block, list] of byBlock) {
    if (list.length > opts.cap) {
      skipped.push({ block, size: list.length });
      continue;
    }
    for (const id of list) if (id !== opts.excludeSourceId) ids.add(id);
  }
  if (skipped.length) opts.logger?.warn({ skipped, cap: opts.cap }, 'mpi blocking: oversized blocks skipped');
  return { sourceIds: [...ids], skipped };
}
