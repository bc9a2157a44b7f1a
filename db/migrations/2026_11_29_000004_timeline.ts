import { sql, type Kysely } from 'kysely';

/**
 * The bitemporal timeline (issue 5 §1): one row per version of one clinical fact, with its clinical
 * time and the time it became available. Rows are never updated except `superseded_at`, the closing
 * marker. Plus the encounter state machine (§2) and the log of assembled bundles (monitoring, §7).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE timeline_event (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      patient_record text NOT NULL,
      encounter_id text,
      modality text NOT NULL CHECK (modality IN ('labs', 'vitals', 'imaging', 'notes', 'medications', 'problems')),
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      version_id text NOT NULL,
      fact_key text NOT NULL DEFAULT '',
      code_system text,
      code text,
      code_display text,
      category text,
      value_num double precision,
      value_text text,
      value_json jsonb,
      unit text,
      clinical_start timestamptz NOT NULL,
      clinical_end timestamptz,
      source_recorded_at timestamptz,
      received_at timestamptz NOT NULL,
      available_at timestamptz NOT NULL,
      available_rule text NOT NULL CHECK (available_rule IN ('live', 'backfill', 'backfill-received')),
      status text NOT NULL,
      supersedes bigint REFERENCES timeline_event (id),
      superseded_at timestamptz,
      source jsonb NOT NULL,
      resource jsonb,
      CHECK (clinical_end IS NULL OR clinical_end >= clinical_start),
      CHECK (superseded_at IS NULL OR superseded_at >= available_at)
    )`.execute(db);
  // A redelivered version is the same fact: the unique key makes appends idempotent.
  await sql`CREATE UNIQUE INDEX timeline_event_version ON timeline_event (resource_type, resource_id, version_id, fact_key)`.execute(db);
  await sql`CREATE INDEX timeline_event_available ON timeline_event (patient_record, modality, available_at)`.execute(db);
  await sql`CREATE INDEX timeline_event_clinical ON timeline_event (patient_record, clinical_start)`.execute(db);
  // The as-of query's windows: a range on clinical_start per modality, and interval facts that
  // started before the window but still run into it (medication courses, problems).
  await sql`CREATE INDEX timeline_event_window ON timeline_event (patient_record, modality, clinical_start)`.execute(db);
  await sql`CREATE INDEX timeline_event_interval ON timeline_event (patient_record, modality, clinical_end) WHERE clinical_end IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE encounter_state (
      encounter_id text PRIMARY KEY,
      patient_record text NOT NULL,
      status text NOT NULL,
      patient_class text,
      location text,
      pending text,
      period_start timestamptz,
      period_end timestamptz,
      locations jsonb NOT NULL DEFAULT '[]',
      prior jsonb,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX encounter_state_patient ON encounter_state (patient_record, period_start)`.execute(db);
  await sql`
    CREATE TABLE encounter_event (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      encounter_id text NOT NULL,
      patient_record text NOT NULL,
      trigger text NOT NULL,
      at timestamptz NOT NULL,
      location text,
      patient_class text,
      accepted boolean NOT NULL,
      problem text,
      from_status text,
      to_status text,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX encounter_event_encounter ON encounter_event (encounter_id, id)`.execute(db);

  await sql`
    CREATE TABLE bundle_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      bundle_id text NOT NULL,
      patient text NOT NULL,
      index_time timestamptz NOT NULL,
      as_of timestamptz NOT NULL,
      spec text NOT NULL,
      modalities jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX bundle_log_created ON bundle_log (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE bundle_log`.execute(db);
  await sql`DROP TABLE encounter_event`.execute(db);
  await sql`DROP TABLE encounter_state`.execute(db);
  await sql`DROP TABLE timeline_event`.execute(db);
}
