import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { IdentityLogger } from './identity-deps.js';
import type { Person } from './person.js';

/** Blocking keys of a source, stored as indexed columns of mpi_source (one index per branch). */
export interface SourceKeyColumns {
  given_first: string | null;
  family: string | null;
  given_phonetic: string | null;
  family_phonetic: string | null;
  given_initial: string | null;
  family_initial: string | null;
  birth_date: string | null;
  birth_year: string | null;
  postcode: string | null;
  phone: string | null;
}

type Column = keyof SourceKeyColumns;

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

interface Branch {
  name: string;
  where: [Column, string | null][];
}

/** The UNION branches (mirrors LINK_RULES of blocking.ts; swapped names are a real swap here). */
function branchesOf(k: SourceKeyColumns): Branch[] {
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

/**
 * Candidate source ids: a UNION of index range scans, each capped at `cap + 1` rows; a branch that
 * fills its cap is dropped whole (a placeholder or a very common name must not explode the work).
 */
export async function findCandidateSources(db: Db, p: Person, opts: { cap: number; excludeSourceId?: string; logger?: IdentityLogger }): Promise<CandidateSearch> {
  const limit = opts.cap + 1;
  const parts: RawBuilder<unknown>[] = branchesOf(sourceKeyColumns(p)).map((b) => {
    const where = sql.join(b.where.map(([col, v]) => sql`${sql.ref(col)} = ${v}`), sql` AND `);
    return sql`(SELECT ${b.name}::text AS block, id FROM mpi_source WHERE ${where} LIMIT ${limit})`;
  });
  p.identifiers.forEach((i, n) => {
    parts.push(sql`(SELECT ${`identifier-${n}`}::text AS block, source_id AS id FROM mpi_identifier WHERE system = ${i.system} AND value = ${i.value} LIMIT ${limit})`);
  });
  if (!parts.length) return { sourceIds: [], skipped: [] };
  const { rows } = await sql<{ block: string; id: string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(db);
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
