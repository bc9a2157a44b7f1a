import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { TimelineEventRow } from '../db/tables/timeline.table.js';
import { eventFromRow } from './timeline.repository.js';
import type { Modality, PendingEvent, TimelineEvent } from './timeline-event.js';

export interface AsOfWindow {
  modality: Modality;
  /** Inclusive lower bound on clinical time; omitted = all history. */
  from?: Date;
  /** Inclusive upper bound on clinical time. */
  to: Date;
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

/**
 * The one as-of query (issue 5 §3), used by `$aligned-bundle`, `$assess` and `sinew bundle`: per
 * window, the version of each fact valid at `asOf` (available_at <= asOf < superseded_at; withdrawn
 * versions remove the fact) whose clinical time lies in the window (point facts inside it, interval
 * facts overlapping it), plus `pending`: facts in the window of which no version was available yet.
 *
 * One round trip: a UNION ALL with one range scan of (patient_record, modality, clinical_start) per
 * window; interval facts that began before the window come from the partial index on clinical_end.
 */
/** The statement queryAsOf runs (exported for EXPLAIN in benchmarks). */
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
    return sql`
      SELECT 'event' AS kind, t.* FROM timeline_event t
      WHERE ${scope} AND t.clinical_start >= ${from}::timestamptz AND t.clinical_start <= ${to}::timestamptz AND ${valid}
      UNION ALL
      SELECT 'event' AS kind, t.* FROM timeline_event t
      WHERE ${scope} AND t.clinical_end IS NOT NULL AND t.clinical_end >= ${from}::timestamptz AND t.clinical_start < ${from}::timestamptz AND ${valid}
      UNION ALL
      SELECT 'pending' AS kind, t.* FROM timeline_event t
      WHERE ${scope} AND t.clinical_start >= ${from}::timestamptz AND t.clinical_start <= ${to}::timestamptz
        AND t.available_at > ${asOf}::timestamptz
        AND NOT EXISTS (
          SELECT 1 FROM timeline_event p
          WHERE p.resource_type = t.resource_type AND p.resource_id = t.resource_id AND p.available_at <= ${asOf}::timestamptz)`;
  });
  return sql<AsOfRow>`SELECT DISTINCT ON (kind, id) * FROM (${sql.join(branches, sql` UNION ALL `)}) u ORDER BY kind, id`;
}

export async function queryAsOf(db: Db, q: AsOfQuery): Promise<AsOfResult> {
  if (q.patientRecords.length === 0 || q.windows.length === 0) return { events: [], pending: [] };
  const result = await asOfSql(q).execute(db);
  const events: TimelineEvent[] = [];
  const firstPending = new Map<string, AsOfRow>();
  for (const r of result.rows) {
    if (r.kind === 'event') {
      events.push(eventFromRow(r));
      continue;
    }
    // Only the first version of a not-yet-available fact is reported: its clinical time and code.
    const key = `${r.resource_type}/${r.resource_id}/${r.fact_key}`;
    const prev = firstPending.get(key);
    if (!prev || new Date(r.available_at).getTime() < new Date(prev.available_at).getTime()) firstPending.set(key, r);
  }
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
