import { sql, type Kysely } from 'kysely';

/**
 * FHIR resources with their versions (https://hl7.org/fhir/R4/http.html#history), the current
 * version of each in its own table so that search never wades through history, and one search row
 * per extracted search-parameter value (https://hl7.org/fhir/R4/search.html), rebuilt on each version.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE fhir_resource (
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL CHECK (version_id > 0),
      last_updated timestamptz NOT NULL,
      content jsonb,
      deleted boolean NOT NULL DEFAULT false,
      source jsonb,
      PRIMARY KEY (resource_type, id, version_id),
      CHECK (deleted OR content IS NOT NULL)
    )`.execute(db);

  await sql`
    CREATE TABLE fhir_resource_current (
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      content jsonb,
      deleted boolean NOT NULL DEFAULT false,
      PRIMARY KEY (resource_type, id)
    )`.execute(db);
  // Default search order and `_lastUpdated` filters/sorts: an index scan per type.
  await sql`CREATE INDEX fhir_resource_current_updated ON fhir_resource_current (resource_type, last_updated, id) WHERE NOT deleted`.execute(db);

  await sql`
    CREATE TABLE fhir_search (
      resource_type text NOT NULL,
      id text NOT NULL,
      code text NOT NULL,
      system text,
      value text,
      norm text,
      date_start timestamptz,
      date_end timestamptz
    )`.execute(db);
  // Rebuilding a resource's rows deletes by (type, id).
  await sql`CREATE INDEX fhir_search_resource ON fhir_search (resource_type, id)`.execute(db);
  // Token (`code`, `system|code`) and reference (`Patient/1`) lookups.
  await sql`CREATE INDEX fhir_search_value ON fhir_search (resource_type, code, value, system) WHERE value IS NOT NULL`.execute(db);
  // String search is a case- and accent-insensitive prefix match: text_pattern_ops serves LIKE 'abc%' in any collation.
  await sql`CREATE INDEX fhir_search_norm ON fhir_search (resource_type, code, norm text_pattern_ops) WHERE norm IS NOT NULL`.execute(db);
  await sql`CREATE INDEX fhir_search_date ON fhir_search (resource_type, code, date_start, date_end) WHERE date_start IS NOT NULL`.execute(db);
  // Reverse lookups without a type: `$everything` and patient-compartment checks find every resource pointing at a patient.
  await sql`CREATE INDEX fhir_search_reference ON fhir_search (value, code) WHERE code = '_compartment'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE fhir_search`.execute(db);
  await sql`DROP TABLE fhir_resource_current`.execute(db);
  await sql`DROP TABLE fhir_resource`.execute(db);
}
