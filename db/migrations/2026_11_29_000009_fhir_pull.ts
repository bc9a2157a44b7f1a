import { sql, type Kysely } from 'kysely';

/**
 * Where `sinew pull` stands per upstream FHIR server and resource type: the newest
 * `meta.lastUpdated` it has ingested, so a rerun without `--since` asks only for what changed.
 * `inclusive` is set when a run stopped between pages: resources sharing that instant may not all
 * have been read, so the next run asks `ge` (re-reading them as duplicates) instead of `gt`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE fhir_pull_cursor (
      upstream text NOT NULL,
      resource_type text NOT NULL,
      since text NOT NULL,
      inclusive boolean NOT NULL,
      pulled bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (upstream, resource_type)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE fhir_pull_cursor`.execute(db);
}
