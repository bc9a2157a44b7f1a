import { sql, type Kysely } from 'kysely';

/** The durable message store: what is acknowledged must be here first. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  await sql`CREATE EXTENSION IF NOT EXISTS fuzzystrmatch`.execute(db);
  await sql`
    CREATE TABLE hl7_message (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      received_at timestamptz NOT NULL,
      transport text NOT NULL CHECK (transport IN ('mllp', 'http', 'file')),
      peer text,
      sender text,
      facility text,
      control_id text,
      message_type text,
      structure text,
      version text,
      charset text,
      sha256 bytea NOT NULL,
      raw bytea,
      size integer NOT NULL,
      status text NOT NULL CHECK (status IN ('accepted', 'duplicate', 'error', 'rejected')),
      ack_code text NOT NULL,
      reason jsonb,
      duplicate_of bigint REFERENCES hl7_message (id),
      flags text[] NOT NULL DEFAULT '{}',
      patient_key text,
      process_state text NOT NULL CHECK (process_state IN ('pending', 'done', 'failed', 'skipped')),
      processed_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      claimed_until timestamptz,
      CHECK ((duplicate_of IS NULL) = (raw IS NOT NULL))
    )`.execute(db);
  // One original per byte sequence: the database, not the process, decides what is a resend.
  await sql`CREATE UNIQUE INDEX hl7_message_original ON hl7_message (sha256) WHERE duplicate_of IS NULL`.execute(db);
  await sql`CREATE INDEX hl7_message_control_id ON hl7_message (control_id, sender)`.execute(db);
  await sql`CREATE INDEX hl7_message_status ON hl7_message (status, id)`.execute(db);
  await sql`CREATE INDEX hl7_message_type ON hl7_message (message_type, id)`.execute(db);
  await sql`CREATE INDEX hl7_message_pending ON hl7_message (id) WHERE process_state = 'pending'`.execute(db);
  await sql`CREATE INDEX hl7_message_pending_patient ON hl7_message (patient_key, id) WHERE process_state = 'pending'`.execute(db);

  await sql`
    CREATE TABLE signing_key (
      kid text PRIMARY KEY,
      private_jwk jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE signing_key`.execute(db);
  await sql`DROP TABLE hl7_message`.execute(db);
}
