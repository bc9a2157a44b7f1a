import { sql, type Kysely } from 'kysely';

/**
 * Master patient index (issue 4): source records with their blocking keys, golden records,
 * bitemporal append-only links, do-not-match instructions, name term frequencies and merges.
 * Open ends of the two clocks are NULL ("until further notice").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE mpi_golden (
      id text PRIMARY KEY,
      resource jsonb NOT NULL,
      version integer NOT NULL DEFAULT 1,
      active boolean NOT NULL DEFAULT true,
      merged_into text REFERENCES mpi_golden (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE mpi_source (
      id text PRIMARY KEY,
      resource jsonb NOT NULL,
      person jsonb NOT NULL,
      given_first text,
      family text,
      given_phonetic text,
      family_phonetic text,
      given_initial text,
      family_initial text,
      birth_date text,
      birth_year text,
      postcode text,
      phone text,
      valid_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL,
      version integer NOT NULL DEFAULT 1
    )`.execute(db);
  // One index per blocking branch of blocking.sql.ts, so every branch is an index range scan.
  await sql`CREATE INDEX mpi_source_names ON mpi_source (given_first, family)`.execute(db);
  await sql`CREATE INDEX mpi_source_family_phonetic_year ON mpi_source (family_phonetic, birth_year)`.execute(db);
  await sql`CREATE INDEX mpi_source_given_phonetic_birth_date ON mpi_source (given_phonetic, birth_date)`.execute(db);
  await sql`CREATE INDEX mpi_source_birth_date ON mpi_source (birth_date, given_initial, family_initial)`.execute(db);
  await sql`CREATE INDEX mpi_source_postcode_family ON mpi_source (postcode, family_initial)`.execute(db);
  await sql`CREATE INDEX mpi_source_postcode_given ON mpi_source (postcode, given_initial)`.execute(db);
  await sql`CREATE INDEX mpi_source_phone ON mpi_source (phone)`.execute(db);
  await sql`CREATE INDEX mpi_source_phonetic_names ON mpi_source (family_phonetic, given_phonetic)`.execute(db);

  await sql`
    CREATE TABLE mpi_identifier (
      system text NOT NULL,
      value text NOT NULL,
      source_id text NOT NULL REFERENCES mpi_source (id) ON DELETE CASCADE,
      PRIMARY KEY (system, value, source_id)
    )`.execute(db);
  await sql`CREATE INDEX mpi_identifier_source ON mpi_identifier (source_id)`.execute(db);

  await sql`
    CREATE TABLE mpi_link (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      source_id text REFERENCES mpi_source (id),
      golden_id text NOT NULL REFERENCES mpi_golden (id),
      other_golden_id text REFERENCES mpi_golden (id),
      state text NOT NULL CHECK (state IN ('MATCH', 'POSSIBLE_MATCH', 'NO_MATCH', 'POSSIBLE_DUPLICATE')),
      how text NOT NULL CHECK (how IN ('AUTO', 'MANUAL')),
      rule text NOT NULL,
      score double precision,
      probability double precision,
      explanation jsonb,
      by text,
      valid_from timestamptz NOT NULL,
      valid_to timestamptz,
      recorded_from timestamptz NOT NULL,
      recorded_to timestamptz,
      CHECK ((state = 'POSSIBLE_DUPLICATE') = (source_id IS NULL AND other_golden_id IS NOT NULL)),
      CHECK (valid_to IS NULL OR valid_to >= valid_from),
      CHECK (recorded_to IS NULL OR recorded_to >= recorded_from)
    )`.execute(db);
  // The invariant of the index: at most one current MATCH / POSSIBLE_MATCH per source.
  await sql`
    CREATE UNIQUE INDEX mpi_link_one_current ON mpi_link (source_id)
    WHERE recorded_to IS NULL AND valid_to IS NULL AND state IN ('MATCH', 'POSSIBLE_MATCH')`.execute(db);
  await sql`CREATE INDEX mpi_link_golden_current ON mpi_link (golden_id, state) WHERE recorded_to IS NULL AND valid_to IS NULL`.execute(db);
  await sql`CREATE INDEX mpi_link_source ON mpi_link (source_id, recorded_from)`.execute(db);
  await sql`CREATE INDEX mpi_link_golden ON mpi_link (golden_id, recorded_from)`.execute(db);
  await sql`CREATE INDEX mpi_link_review ON mpi_link (state, id) WHERE recorded_to IS NULL AND valid_to IS NULL AND state IN ('POSSIBLE_MATCH', 'POSSIBLE_DUPLICATE')`.execute(db);

  await sql`
    CREATE TABLE mpi_no_match (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      source_id text NOT NULL REFERENCES mpi_source (id),
      golden_id text REFERENCES mpi_golden (id),
      other_source_id text REFERENCES mpi_source (id),
      by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((golden_id IS NULL) <> (other_source_id IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX mpi_no_match_source ON mpi_no_match (source_id)`.execute(db);
  await sql`CREATE INDEX mpi_no_match_other ON mpi_no_match (other_source_id)`.execute(db);

  await sql`
    CREATE TABLE mpi_term_frequency (
      comparison text NOT NULL,
      term text NOT NULL,
      count integer NOT NULL,
      PRIMARY KEY (comparison, term)
    )`.execute(db);

  await sql`
    CREATE TABLE mpi_merge (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      from_source text NOT NULL REFERENCES mpi_source (id),
      into_source text NOT NULL REFERENCES mpi_source (id),
      from_golden text NOT NULL REFERENCES mpi_golden (id),
      into_golden text NOT NULL REFERENCES mpi_golden (id),
      moved jsonb NOT NULL,
      by text,
      valid_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL,
      undone_at timestamptz,
      undone_by text
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['mpi_merge', 'mpi_term_frequency', 'mpi_no_match', 'mpi_link', 'mpi_identifier', 'mpi_source', 'mpi_golden']) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
}
