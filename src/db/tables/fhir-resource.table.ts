import type { ColumnType, Selectable } from 'kysely';

/** Where a resource version came from: the stored HL7 message, an upstream FHIR URL, or the API. */
export const RESOURCE_SOURCE_KINDS = ['hl7v2', 'fhir-api', 'fhir-file', 'fhir-pull', 'internal'] as const;
export type ResourceSourceKind = (typeof RESOURCE_SOURCE_KINDS)[number];

export interface ResourceSource {
  kind: ResourceSourceKind;
  /** `hl7_message.id` of the message the resource was derived from. */
  messageId?: string;
  /** Upstream resource URL (pull) or file path (import). */
  url?: string;
}

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** Every version of every resource; a delete is a version with `deleted` and no content. */
export interface FhirResourceTable {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Timestamp;
  content: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  deleted: ColumnType<boolean, boolean | undefined, boolean>;
  source: ColumnType<ResourceSource | null, string | null, string | null>;
}

/** The latest version of each resource (deleted ones too, for 410 Gone). */
export interface FhirResourceCurrentTable {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Timestamp;
  content: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  deleted: ColumnType<boolean, boolean | undefined, boolean>;
}

/**
 * One row per extracted search value of a current version: token (`system`, `value`), string
 * (`value` as written, `norm` lower-cased without accents), reference (`value` = `Type/id`),
 * date (`date_start` inclusive, `date_end` exclusive).
 */
export interface FhirSearchTable {
  resource_type: string;
  id: string;
  code: string;
  system: string | null;
  value: string | null;
  norm: string | null;
  date_start: Timestamp | null;
  date_end: Timestamp | null;
}

export type FhirResourceRow = Selectable<FhirResourceTable>;
export type FhirSearchRow = Selectable<FhirSearchTable>;

/** The FHIR store's tables, merged into `Tables` (src/db/tables/index.ts). */
export interface FhirStoreTables {
  fhir_resource: FhirResourceTable;
  fhir_resource_current: FhirResourceCurrentTable;
  fhir_search: FhirSearchTable;
}
