import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { COMPARISONS, type ComparisonName } from './comparisons/registry.js';
import { lockHash } from './blocking.sql.js';
import type { MatchModel } from './model.js';
import type { Person } from './person.js';
import type { TermFrequencies } from './term-frequencies.js';

/** The total per comparison is spread over shards so concurrent inserts rarely wait on one row. */
export const TOTAL_SHARDS = 16;
export const TOTAL_PREFIX = '#total:';

/**
 * Pseudo-records of prior belief: a frequency is shrunk towards the level's u, so a young index
 * (where every name looks frequent) adjusts nothing, and a large one uses its own counts (Splink).
 */
export const TF_PSEUDO_RECORDS = 1000;

/** The term of every total shard. */
export const TOTAL_TERMS: readonly string[] = Array.from({ length: TOTAL_SHARDS }, (_, n) => `${TOTAL_PREFIX}${n}`);

export function adjustedComparisons(model: MatchModel): { name: ComparisonName; u: number }[] {
  return model.comparisons.flatMap((c) => {
    const level = c.levels.find((l) => l.tfAdjust);
    return level && COMPARISONS[c.name].term ? [{ name: c.name, u: level.u }] : [];
  });
}

export function termsOf(p: Person | undefined, model: MatchModel): Map<ComparisonName, string> {
  const out = new Map<ComparisonName, string>();
  if (!p) return out;
  for (const { name } of adjustedComparisons(model)) {
    const v = COMPARISONS[name].term?.(p);
    if (v) out.set(name, v);
  }
  return out;
}

/** Shrunk relative frequency of a term seen `count` times among `total` (the bulk path shares it). */
export function termFrequency(count: number, total: number, u: number): number {
  // The record counts itself, as it would in a table built over the whole data set.
  return (count + 1 + TF_PSEUDO_RECORDS * u) / (total + 1 + TF_PSEUDO_RECORDS);
}

/** Shard of the per-comparison total that a source's counts go to. */
export function totalShardOf(sourceId: string): string {
  return `${TOTAL_PREFIX}${Number(BigInt.asUintN(64, lockHash(sourceId)) % BigInt(TOTAL_SHARDS))}`;
}

/** Term frequencies for this record's own terms only: scoring adjusts by the record's value. */
export async function readTermFrequencies(db: Db, p: Person, model: MatchModel): Promise<TermFrequencies> {
  const terms = termsOf(p, model);
  if (!terms.size) return {};
  const names = [...terms.keys()];
  const rows = await db
    .selectFrom('mpi_term_frequency')
    .select(['comparison', 'term', 'count'])
    .where('comparison', 'in', names)
    // The shards by name, not LIKE: an index probe per term instead of a scan of every name.
    .where('term', 'in', [...TOTAL_TERMS, ...terms.values()])
    .execute();
  const out: Partial<Record<ComparisonName, ReadonlyMap<string, number>>> = {};
  for (const { name, u } of adjustedComparisons(model)) {
    const term = terms.get(name);
    if (!term) continue;
    const mine = rows.filter((r) => r.comparison === name);
    const total = mine.filter((r) => r.term.startsWith(TOTAL_PREFIX)).reduce((s, r) => s + r.count, 0);
    const count = mine.find((r) => r.term === term)?.count ?? 0;
    out[name] = new Map([[term, termFrequency(count, total, u)]]);
  }
  return out;
}

/**
 * Move the counts from a source's previous terms to its new ones. Rows are upserted in sorted
 * order in one statement so that two transactions lock them in the same order.
 */
export async function updateTermCounts(db: Db, sourceId: string, before: Person | undefined, after: Person | undefined, model: MatchModel): Promise<void> {
  const old = termsOf(before, model);
  const now = termsOf(after, model);
  const delta = new Map<string, number>();
  const add = (comparison: string, term: string, d: number) => {
    const k = `${comparison}\u0000${term}`;
    delta.set(k, (delta.get(k) ?? 0) + d);
  };
  const shard = totalShardOf(sourceId);
  for (const [c, t] of old) add(c, t, -1), add(c, shard, -1);
  for (const [c, t] of now) add(c, t, 1), add(c, shard, 1);
  const rows = [...delta].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, count]) => {
    const [comparison, term] = k.split('\u0000') as [string, string];
    return { comparison, term, count };
  });
  if (!rows.length) return;
  await db
    .insertInto('mpi_term_frequency')
    .values(rows)
    .onConflict((oc) => oc.columns(['comparison', 'term']).doUpdateSet({ count: sql`mpi_term_frequency.count + excluded.count` }))
    .execute();
}
