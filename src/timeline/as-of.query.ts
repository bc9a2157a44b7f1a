import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { TimelineEventRow } from '../db/tables/timeline.table.js';
import { eventFromRow } from './timeline.repository.js';
import type { Modality, PendingEvent, TimelineEvent } from './timeline-event.js';

/** Which facts a window wants (a fusion spec's `select`), so the database drops the rest early. */
export interface AsOfSelector {
  resourceTypes: readonly string[];
  categories?: readonly string[];
  codes?: readonly { system: string; code: string }[];
  statuses?: readonly string[];
}

export interface AsOfWindow {
  modality: Modality;
  /** Inclusive lower bound on clinical time; omitted = all history. */
  from?: Date;
  /** Inclusive upper bound on clinical time. */
  to: Date;
  /** Only facts matching this selector (pending facts are not filtered by it). */
  select?: AsOfSelector;
  /**
   * Only the newest matching fact per code (per resource when uncoded): newest clinical time, then
   * newest available time, then smallest id as text, the order fusion's `newestFirst` uses. Keeps
   * a problem list with years of history to one row per problem.
   */
  latestPerCode?: boolean;
}

export interface AsOfQuery {
  /** Every source Patient record of the person, as the identity layer knew them at `asOf`. */
  patientRecords: readonly string[];
  asOf: Date;
  windows: readonly AsOfWindow[];
}

export interface AsOfResult {
  events: TimelineEvent[];
  pending: PendingEvent[];
}

/** Versions that withdraw a fact (mirrors fusion/select-items WITHDRAWN_STATUSES). */
const WITHDRAWN = ['entered-in-error', 'cancelled'];

export type AsOfRow = TimelineEventRow & { kind: 'event' | 'pending' };

const COLUMNS = [
  'id', 'patient_record', 'encounter_id', 'modality', 'resource_type', 'resource_id', 'version_id', 'fact_key', 'code_system', 'code', 'code_display', 'category',
  'value_num', 'value_text', 'value_json', 'unit', 'clinical_start', 'clinical_end', 'source_recorded_at', 'received_at', 'available_at', 'available_rule', 'status',
  'supersedes', 'superseded_at', 'source', 'resource',
] as const;
/** A pending fact reports only its modality, type, code, category and clinical time: no value, no body. */
const PENDING_NULLS = new Set(['value_num', 'value_text', 'value_json', 'source', 'resource']);
const columnsOf = (alias: string, nulls = new Set<string>()) => sql.raw(COLUMNS.map((c) => (nulls.has(c) ? `NULL AS ${c}` : `${alias}.${c}`)).join(', '));

function selectorSql(s: AsOfSelector | undefined): RawBuilder<unknown> {
  if (!s) return sql`TRUE`;
  const parts = [sql`t.resource_type = ANY(${[...s.resourceTypes]}::text[])`];
  if (s.categories) parts.push(sql`t.category = ANY(${[...s.categories]}::text[])`);
  if (s.codes) {
    parts.push(sql`t.code IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(${s.codes.map((c) => c.system)}::text[], ${s.codes.map((c) => c.code)}::text[]) AS c(s, k)
      WHERE c.s = coalesce(t.code_system, '') AND c.k = t.code)`);
  }
  if (s.statuses) parts.push(sql`t.status = ANY(${[...s.statuses]}::text[])`);
  return sql.join(parts, sql` AND `);
}

/**
 * The one as-of query (issue 5 §3), used by `$aligned-bundle`, `$assess` and `sinew bundle`: per
 * window, the version of each fact valid at `asOf` (available_at <= asOf < superseded_at; withdrawn
 * versions remove the fact) whose clinical time lies in the window (point facts inside it, interval
 * facts overlapping it), plus `pending`: facts in the window of which no version was available yet.
 *
 * One round trip: a UNION ALL with one range scan of (patient_record, modality, clinical_start) per
 * window; interval facts that began before the window come from the partial index on clinical_end.
 * Exported for EXPLAIN in benchmarks.
 */
export function asOfSql(q: AsOfQuery): RawBuilder<AsOfRow> {
  const records = [...new Set(q.patientRecords)];
  const asOf = q.asOf.toISOString();
  // One branch per window with literal bounds: each is a plain range scan of the window index. (A
  // LATERAL over a jsonb recordset let the planner guess 100 windows and pick a hash join + seq scan.)
  const branches = q.windows.map((w) => {
    const from = w.from ? w.from.toISOString() : '-infinity';
    const to = w.to.toISOString();
    const scope = sql`t.patient_record = ANY(${records}::text[]) AND t.modality = ${w.modality}`;
    const valid = sql`t.available_at <= ${asOf}::timestamptz AND (t.superseded_at IS NULL OR t.superseded_at > ${asOf}::timestamptz) AND t.status <> ALL(${WITHDRAWN}::text[])`;
    const wanted = selectorSql(w.select);
    // Point facts inside the window, and interval facts that began before it and run into it.
    const inWindow = sql`
      SELECT t.* FROM timeline_event t
      WHERE ${scope} AND t.clinical_start >= ${from}::timestamptz AND t.clinical_start <= ${to}::timestamptz AND ${valid} AND ${wanted}
      UNION ALL
      SELECT t.* FROM timeline_event t
      WHERE ${scope} AND t.clinical_end IS NOT NULL AND t.clinical_end >= ${from}::timestamptz AND t.clinical_start < ${from}::timestamptz AND ${valid} AND ${wanted}`;
    // Millisecond truncation and "C" collation on the id text: the exact order JavaScript compares by.
    const chosen = w.latestPerCode
      ? sql`
        SELECT DISTINCT ON (k.key) k.* FROM (
          SELECT CASE WHEN t.code IS NULL THEN t.resource_type || '/' || t.resource_id ELSE coalesce(t.code_system, '') || '|' || t.code END AS key, t.*
          FROM (${inWindow}) t) k
        ORDER BY k.key, date_trunc('milliseconds', k.clinical_start) DESC, date_trunc('milliseconds', k.available_at) DESC, k.id::text COLLATE "C"`
      : inWindow;
    const events = sql`SELECT 'event' AS kind, ${columnsOf('e')} FROM (${chosen}) e`;
    const pending = sql`
      SELECT 'pending' AS kind, ${columnsOf('t', PENDING_NULLS)} FROM timeline_event t
      WHERE ${scope} AND t.clinical_start >= ${from}::timestamptz AND t.clinical_start <= ${to}::timestamptz
        AND t.available_at > ${asOf}::timestamptz
        AND NOT EXISTS (
          SELECT 1 FROM timeline_event p
          WHERE p.resource_type = t.resource_type AND p.resource_id = t.resource_id AND p.available_at <= ${asOf}::timestamptz)`;
    return sql`${events} UNION ALL ${pending}`;
  });
  return sql<AsOfRow>`${sql.join(branches, sql` UNION ALL `)}`;
}

export async function queryAsOf(db: Db, q: AsOfQuery): Promise<AsOfResult> {
  if (q.patientRecords.length === 0 || q.windows.length === 0) return { events: [], pending: [] };
  const result = await asOfSql(q).execute(db);
  const events: TimelineEvent[] = [];
  // Branches are disjoint unless a caller passes two windows of one modality: keep each row once.
  const seen = new Set<string>();
  const firstPending = new Map<string, AsOfRow>();
  for (const r of result.rows) {
    if (r.kind === 'event') {
      const id = String(r.id);
      if (!seen.has(id)) events.push(eventFromRow(r));
      seen.add(id);
      continue;
    }
    // Only the first version of a not-yet-available fact is reported: its clinical time and code.
    const key = `${r.resource_type}/${r.resource_id}/${r.fact_key}`;
    const prev = firstPending.get(key);
    if (!prev || new Date(r.available_at).getTime() < new Date(prev.available_at).getTime()) firstPending.set(key, r);
  }
  events.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const pending: PendingEvent[] = [...firstPending.values()].map((r) => ({
    modality: r.modality as Modality,
    resourceType: r.resource_type,
    ...(r.code !== null ? { code: { system: r.code_system ?? '', code: r.code, ...(r.code_display ? { display: r.code_display } : {}) } } : {}),
    ...(r.category !== null ? { category: r.category } : {}),
    clinicalStart: new Date(r.clinical_start).toISOString(),
    ...(r.clinical_end ? { clinicalEnd: new Date(r.clinical_end).toISOString() } : {}),
  }));
  return { events, pending };
}
