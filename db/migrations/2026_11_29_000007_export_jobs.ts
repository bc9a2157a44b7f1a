import { sql, type Kysely } from 'kysely';

/**
 * `$aligned-export` jobs (FHIR Bulk Data style, INTERFACE.md): one row per kick-off, its progress,
 * and the NDJSON files it produced, kept in the database so any node (and PGlite's one process)
 * serves them. Deleting a job (DELETE on its status URL) removes its files.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE export_job (
      id text PRIMARY KEY,
      owner text NOT NULL,
      status text NOT NULL CHECK (status IN ('accepted', 'in-progress', 'completed', 'failed')),
      request_url text NOT NULL,
      request jsonb NOT NULL,
      total integer NOT NULL DEFAULT 0,
      done integer NOT NULL DEFAULT 0,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`
    CREATE TABLE export_file (
      job_id text NOT NULL REFERENCES export_job (id) ON DELETE CASCADE,
      name text NOT NULL,
      type text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('output', 'error')),
      count integer NOT NULL,
      content text NOT NULL,
      PRIMARY KEY (job_id, name)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE export_file`.execute(db);
  await sql`DROP TABLE export_job`.execute(db);
}
