import type { ColumnType, Selectable } from 'kysely';

/** One row per (upstream FHIR base, resource type) that `sinew pull` has read from. */
export interface FhirPullCursorTable {
  upstream: string;
  resource_type: string;
  /** The newest `meta.lastUpdated` ingested, as the upstream wrote it (its precision kept). */
  since: string;
  /** True after a run stopped mid-type: resume with `_lastUpdated=ge`, else `gt`. */
  inclusive: boolean;
  /** Resources read for this type over all runs. */
  pulled: ColumnType<string, number | string | undefined, number | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
}

export type FhirPullCursorRow = Selectable<FhirPullCursorTable>;

/** Merged into `Tables` (src/db/tables/index.ts). */
export interface FhirPullTables {
  fhir_pull_cursor: FhirPullCursorTable;
}
