import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { TimelineEventRow } from '../db/tables/timeline.table.js';
import type { NewTimelineEvent } from './new-timeline-event.js';
import type { EventValue, Modality, TimelineEvent, TimelineSource } from './timeline-event.js';

export interface AppendResult {
  /** Rows written; a version already stored (same resource, version and fact) is skipped. */
  inserted: number;
  skipped: number;
}

/** STYLE.md pattern 9: the store as an interface; the caller may own the transaction. */
export interface TimelineRepository {
  append(db: Db, rows: readonly NewTimelineEvent[]): Promise<AppendResult>;
  history(db: Db, resourceType: string, resourceId: string): Promise<TimelineEvent[]>;
}

/** Columns of one row as JSON for jsonb_to_recordset: one INSERT for the whole batch. */
function toRecord(e: NewTimelineEvent, ord: number): Record<string, unknown> {
  const v = e.value;
  const isCoding = typeof v === 'object' && v !== null;
  return {
    ord,
    patient_record: e.patientRecord,
    encounter_id: e.encounterId ?? null,
    modality: e.modality,
    resource_type: e.resourceType,
    resource_id: e.resourceId,
    version_id: e.versionId,
    fact_key: e.factKey,
    code_system: e.code?.system ?? null,
    code: e.code?.code ?? null,
    code_display: e.code?.display ?? null,
    category: e.category ?? null,
    value_num: typeof v === 'number' ? v : null,
    value_text: typeof v === 'string' ? v : isCoding ? (v.display ?? v.code) : null,
    value_json: isCoding || typeof v === 'boolean' ? v : null,
    unit: e.unit ?? null,
    clinical_start: e.clinicalStart,
    clinical_end: e.clinicalEnd ?? null,
    source_recorded_at: e.sourceRecordedAt ?? null,
    received_at: e.receivedAt,
    available_at: e.availableAt,
    available_rule: e.availableRule,
    status: e.status,
    source: e.source,
    resource: e.resource ?? null,
  };
}

/**
 * Append fact versions. In one transaction (the caller's, or its own): lock the touched resources,
 * insert every row in one statement (placing facts without a visit number in the encounter open at
 * their clinical time, and linking each to the version it follows), then recompute the closing
 * markers `superseded_at` of the touched resources. Versions are ordered by (available_at, version
 * id), so a backfilled older version arriving late slots in where it belongs.
 */
export async function appendTimeline(db: Db, rows: readonly NewTimelineEvent[]): Promise<AppendResult> {
  if (rows.length === 0) return { inserted: 0, skipped: 0 };
  if (!db.isTransaction) return db.transaction().execute((trx) => appendTimeline(trx, rows));
  const records = JSON.stringify(rows.map(toRecord));
  // Serialise concurrent appends to the same resource; sorted so two batches cannot deadlock.
  await sql`
    SELECT pg_advisory_xact_lock(h) FROM (
      SELECT DISTINCT hashtext(resource_type || '/' || resource_id) AS h
      FROM jsonb_to_recordset(${records}::jsonb) AS k(resource_type text, resource_id text) ORDER BY h) s`.execute(db);
  const inserted = await sql<{ id: string }>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${records}::jsonb) AS x(
        ord int, patient_record text, encounter_id text, modality text, resource_type text, resource_id text,
        version_id text, fact_key text, code_system text, code text, code_display text, category text,
        value_num double precision, value_text text, value_json jsonb, unit text, clinical_start timestamptz,
        clinical_end timestamptz, source_recorded_at timestamptz, received_at timestamptz,
        available_at timestamptz, available_rule text, status text, source jsonb, resource jsonb)
    )
    INSERT INTO timeline_event (patient_record, encounter_id, modality, resource_type, resource_id, version_id,
      fact_key, code_system, code, code_display, category, value_num, value_text, value_json, unit,
      clinical_start, clinical_end, source_recorded_at, received_at, available_at, available_rule, status,
      supersedes, source, resource)
    SELECT i.patient_record,
      coalesce(i.encounter_id, (
        SELECT e.encounter_id FROM encounter_state e
        WHERE e.patient_record = i.patient_record AND e.status IN ('in-progress', 'finished')
          AND e.period_start <= i.clinical_start AND (e.period_end IS NULL OR e.period_end > i.clinical_start)
        ORDER BY e.period_start DESC, e.encounter_id LIMIT 1)),
      i.modality, i.resource_type, i.resource_id, i.version_id, i.fact_key, i.code_system, i.code,
      i.code_display, i.category, i.value_num, i.value_text, i.value_json, i.unit, i.clinical_start,
      i.clinical_end, i.source_recorded_at, i.received_at, i.available_at, i.available_rule, i.status,
      (SELECT p.id FROM timeline_event p
        WHERE p.resource_type = i.resource_type AND p.resource_id = i.resource_id
          AND (p.available_at, length(p.version_id), p.version_id COLLATE "C") < (i.available_at, length(i.version_id), i.version_id COLLATE "C")
        ORDER BY p.available_at DESC, length(p.version_id) DESC, p.version_id COLLATE "C" DESC, (p.fact_key = i.fact_key) DESC, p.id
        LIMIT 1),
      i.source, i.resource
    FROM input i ORDER BY i.ord
    ON CONFLICT (resource_type, resource_id, version_id, fact_key) DO NOTHING
    RETURNING id`.execute(db);
  await sql`
    WITH keys AS (
      SELECT DISTINCT resource_type, resource_id FROM jsonb_to_recordset(${records}::jsonb) AS k(resource_type text, resource_id text)
    ), versions AS (
      SELECT DISTINCT t.resource_type, t.resource_id, t.version_id, t.available_at
      FROM timeline_event t JOIN keys k ON k.resource_type = t.resource_type AND k.resource_id = t.resource_id
    ), ordered AS (
      SELECT v.*, lead(v.available_at) OVER (PARTITION BY v.resource_type, v.resource_id
        ORDER BY v.available_at, length(v.version_id), v.version_id COLLATE "C") AS next_at
      FROM versions v
    )
    UPDATE timeline_event t SET superseded_at = o.next_at
    FROM ordered o
    WHERE t.resource_type = o.resource_type AND t.resource_id = o.resource_id AND t.version_id = o.version_id
      AND t.superseded_at IS DISTINCT FROM o.next_at`.execute(db);
  return { inserted: inserted.rows.length, skipped: rows.length - inserted.rows.length };
}

const iso = (d: Date | string | null): string | undefined => (d === null ? undefined : new Date(d).toISOString());

function valueFromRow(r: Pick<TimelineEventRow, 'value_num' | 'value_text' | 'value_json'>): EventValue | undefined {
  if (r.value_num !== null) return Number(r.value_num);
  if (r.value_json !== null && r.value_json !== undefined) return r.value_json as EventValue;
  return r.value_text ?? undefined;
}

/** A stored row as the fusion layer sees it. */
export function eventFromRow(r: TimelineEventRow): TimelineEvent {
  const value = valueFromRow(r);
  return {
    id: String(r.id),
    patientRecord: r.patient_record,
    ...(r.encounter_id ? { encounterId: r.encounter_id } : {}),
    modality: r.modality as Modality,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    versionId: r.version_id,
    ...(r.code !== null ? { code: { system: r.code_system ?? '', code: r.code, ...(r.code_display ? { display: r.code_display } : {}) } } : {}),
    ...(r.category !== null ? { category: r.category } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(r.unit !== null ? { unit: r.unit } : {}),
    clinicalStart: iso(r.clinical_start) as string,
    ...(r.clinical_end ? { clinicalEnd: iso(r.clinical_end) } : {}),
    ...(r.source_recorded_at ? { sourceRecordedAt: iso(r.source_recorded_at) } : {}),
    receivedAt: iso(r.received_at) as string,
    availableAt: iso(r.available_at) as string,
    status: r.status,
    ...(r.supersedes !== null ? { supersedes: String(r.supersedes) } : {}),
    source: r.source as unknown as TimelineSource,
    ...(r.resource ? { resource: r.resource as unknown as TimelineEvent['resource'] } : {}),
  };
}

/** Every stored version of one resource's facts, in version order: the audit view. */
export async function timelineHistory(db: Db, resourceType: string, resourceId: string): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('timeline_event')
    .selectAll()
    .where('resource_type', '=', resourceType)
    .where('resource_id', '=', resourceId)
    .orderBy('available_at')
    .orderBy('id')
    .execute();
  return rows.map(eventFromRow);
}

export const kyselyTimelineRepository: TimelineRepository = Object.freeze({ append: appendTimeline, history: timelineHistory });
