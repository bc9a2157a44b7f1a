import { sql, type Kysely } from 'kysely';

/**
 * The as-of query's window scan also tests `available_at` (known by as-of, or still pending): with
 * it in the window index, both are checked on index entries, so a lookback of `all` over years of
 * history no longer fetches every later row from the heap to throw it away. The new index starts
 * with the old one's columns, which it replaces.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX timeline_event_window_known ON timeline_event (patient_record, modality, clinical_start, available_at)`.execute(db);
  await sql`DROP INDEX timeline_event_window`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX timeline_event_window ON timeline_event (patient_record, modality, clinical_start)`.execute(db);
  await sql`DROP INDEX timeline_event_window_known`.execute(db);
}
