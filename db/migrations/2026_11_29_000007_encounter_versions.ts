import { sql, type Kysely } from 'kysely';

/**
 * Encounters become bitemporal (issue 5 §2): every ADT event keeps when it was known, and
 * `encounter_version` holds each encounter as it was known over system time, so "which encounter
 * was open at T, as known at K" is one indexed lookup. `encounter_state` stays the current view.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE encounter_event ADD COLUMN known_at timestamptz, ADD COLUMN message_id text`.execute(db);
  // A replayed message must not log its events twice.
  await sql`CREATE UNIQUE INDEX encounter_event_message ON encounter_event (message_id, encounter_id) WHERE message_id IS NOT NULL`.execute(db);
  await sql`
    CREATE TABLE encounter_version (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      encounter_id text NOT NULL,
      patient_record text NOT NULL,
      known_from timestamptz NOT NULL,
      known_to timestamptz,
      status text NOT NULL,
      patient_class text,
      period_start timestamptz,
      period_end timestamptz,
      locations jsonb NOT NULL DEFAULT '[]',
      state jsonb NOT NULL,
      CHECK (known_to IS NULL OR known_to > known_from)
    )`.execute(db);
  await sql`CREATE INDEX encounter_version_encounter ON encounter_version (encounter_id, known_from)`.execute(db);
  await sql`CREATE INDEX encounter_version_patient ON encounter_version (patient_record, period_start)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE encounter_version`.execute(db);
  await sql`DROP INDEX encounter_event_message`.execute(db);
  await sql`ALTER TABLE encounter_event DROP COLUMN known_at, DROP COLUMN message_id`.execute(db);
}
