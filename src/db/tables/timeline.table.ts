import type { ColumnType, Generated, Selectable } from 'kysely';

type Instant = ColumnType<Date, Date | string, Date | string>;
type NullableInstant = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

/** How `available_at` was derived, kept so the rule can be audited (issue 5 §1). */
export const AVAILABLE_RULES = ['live', 'backfill', 'backfill-received'] as const;
export type AvailableRule = (typeof AVAILABLE_RULES)[number];

/** One version of one clinical fact. Only `superseded_at` (the closing marker) is ever updated. */
export interface TimelineEventTable {
  id: Generated<string>;
  patient_record: string;
  encounter_id: string | null;
  modality: string;
  resource_type: string;
  resource_id: string;
  version_id: string;
  /** '' for a resource's main fact; the component's code for an expanded Observation component. */
  fact_key: ColumnType<string, string | undefined, never>;
  code_system: string | null;
  code: string | null;
  code_display: string | null;
  category: string | null;
  value_num: number | null;
  value_text: string | null;
  value_json: NullableJson<unknown>;
  unit: string | null;
  clinical_start: Instant;
  clinical_end: NullableInstant;
  source_recorded_at: NullableInstant;
  received_at: Instant;
  available_at: Instant;
  available_rule: AvailableRule;
  status: string;
  supersedes: string | null;
  superseded_at: NullableInstant;
  source: Json<Record<string, unknown>>;
  resource: NullableJson<Record<string, unknown>>;
}

export interface EncounterStateTable {
  encounter_id: string;
  patient_record: string;
  status: string;
  patient_class: string | null;
  location: string | null;
  pending: string | null;
  period_start: NullableInstant;
  period_end: NullableInstant;
  locations: Json<{ location: string; from: string; to?: string }[]>;
  prior: NullableJson<Record<string, unknown>>;
  updated_at: Instant;
}

/** Every ADT event as received, accepted or not: an illegal transition is reported, never dropped. */
export interface EncounterEventTable {
  id: Generated<string>;
  encounter_id: string;
  patient_record: string;
  trigger: string;
  at: Instant;
  location: string | null;
  patient_class: string | null;
  accepted: boolean;
  problem: string | null;
  from_status: string | null;
  to_status: string | null;
  recorded_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface BundleLogModality {
  name: string;
  status: string;
  count: number;
  /** Age of the newest item in seconds; absent when the modality had no items. */
  ageSeconds?: number;
}

/** One row per aligned bundle served: the manifest monitoring computes presence and staleness from. */
export interface BundleLogTable {
  id: Generated<string>;
  bundle_id: string;
  patient: string;
  index_time: Instant;
  as_of: Instant;
  spec: string;
  modalities: Json<BundleLogModality[]>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface TimelineTables {
  timeline_event: TimelineEventTable;
  encounter_state: EncounterStateTable;
  encounter_event: EncounterEventTable;
  bundle_log: BundleLogTable;
}

export type TimelineEventRow = Selectable<TimelineEventTable>;
export type EncounterStateRow = Selectable<EncounterStateTable>;
