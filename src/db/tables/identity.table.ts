import type { ColumnType, Generated, Selectable } from 'kysely';

/** Link states of the index (HAPI FHIR MDM's model; notes/identity.md §3). */
export const LINK_STATES = ['MATCH', 'POSSIBLE_MATCH', 'NO_MATCH', 'POSSIBLE_DUPLICATE'] as const;
export type LinkState = (typeof LINK_STATES)[number];
export const LINK_HOWS = ['AUTO', 'MANUAL'] as const;
export type LinkHow = (typeof LINK_HOWS)[number];

type Json<T> = ColumnType<T, string, string>;
type Time = ColumnType<Date, Date | string, Date | string>;
type OpenTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** A golden record: the FHIR Patient built by survivorship, read-only except through the index. */
export interface MpiGoldenTable {
  id: string;
  resource: Json<Record<string, unknown>>;
  version: ColumnType<number, number | undefined, number>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  merged_into: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A source Patient as received, its normalised Person and the blocking keys as indexed columns. */
/** Blocking keys of a source, stored as indexed columns of mpi_source (one index per branch). */
export interface MpiSourceKeyColumns {
  given_first: string | null;
  family: string | null;
  given_phonetic: string | null;
  family_phonetic: string | null;
  given_initial: string | null;
  family_initial: string | null;
  birth_date: string | null;
  birth_year: string | null;
  postcode: string | null;
  phone: string | null;
}

export interface MpiSourceTable extends MpiSourceKeyColumns {
  id: string;
  resource: Json<Record<string, unknown>>;
  person: Json<Record<string, unknown>>;
  valid_at: Time;
  recorded_at: Time;
  version: ColumnType<number, number | undefined, number>;
}

export interface MpiIdentifierTable {
  system: string;
  value: string;
  source_id: string;
}

/** Append-only, bitemporal: a change closes `recorded_to` and inserts new rows. */
export interface MpiLinkTable {
  id: Generated<string>;
  /** NULL only for POSSIBLE_DUPLICATE (golden ↔ golden). */
  source_id: string | null;
  golden_id: string;
  other_golden_id: string | null;
  state: LinkState;
  how: LinkHow;
  /** Which rule decided: identifier, unique-identifier, probabilistic, new, manual, merge, … */
  rule: string;
  score: number | null;
  probability: number | null;
  explanation: ColumnType<unknown, string | null | undefined, string | null>;
  by: string | null;
  valid_from: Time;
  valid_to: OpenTime;
  recorded_from: Time;
  recorded_to: OpenTime;
}

/** "Do not match" instructions: source ↔ golden or source ↔ source. */
export interface MpiNoMatchTable {
  id: Generated<string>;
  source_id: string;
  golden_id: string | null;
  other_source_id: string | null;
  by: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** Name counts for term-frequency adjustment, maintained incrementally (totals sharded). */
export interface MpiTermFrequencyTable {
  comparison: string;
  term: string;
  count: number;
}

export interface MpiMergeTable {
  id: Generated<string>;
  from_source: string;
  into_source: string;
  from_golden: string;
  into_golden: string;
  /** Source ids moved from `from_golden` to `into_golden`. */
  moved: Json<string[]>;
  by: string | null;
  valid_at: Time;
  recorded_at: Time;
  undone_at: OpenTime;
  undone_by: string | null;
}

export type MpiLinkRow = Selectable<MpiLinkTable>;
export type MpiSourceRow = Selectable<MpiSourceTable>;
export type MpiMergeRow = Selectable<MpiMergeTable>;

/** The index's tables, merged into `Tables` by src/db/tables/index.ts. */
export interface IdentityTables {
  mpi_golden: MpiGoldenTable;
  mpi_source: MpiSourceTable;
  mpi_identifier: MpiIdentifierTable;
  mpi_link: MpiLinkTable;
  mpi_no_match: MpiNoMatchTable;
  mpi_term_frequency: MpiTermFrequencyTable;
  mpi_merge: MpiMergeTable;
}
