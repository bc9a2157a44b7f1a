import type { ColumnType, Generated, Selectable } from 'kysely';
import type { EncounterState, LocationStay } from '../../timeline/encounter-state.js';

type NullableInstant = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** One encounter as it was known from `known_from` until `known_to` (null: still the latest knowledge). */
export interface EncounterVersionTable {
  id: Generated<string>;
  encounter_id: string;
  patient_record: string;
  known_from: ColumnType<Date, Date | string, Date | string>;
  known_to: NullableInstant;
  status: string;
  patient_class: string | null;
  period_start: NullableInstant;
  period_end: NullableInstant;
  locations: ColumnType<LocationStay[], string, string>;
  state: ColumnType<EncounterState, string, string>;
}

export type EncounterVersionRow = Selectable<EncounterVersionTable>;

/** Added to `encounter_event` by migration 2026_11_29_000007_encounter_versions. */
export interface EncounterEventKnowledge {
  /** When the event became known (same rule as a timeline fact's available_at). */
  known_at: NullableInstant;
  /** The stored HL7 message the event came from: a replayed message is not logged twice. */
  message_id: string | null;
}

declare module './timeline.table.js' {
  interface EncounterEventTable extends EncounterEventKnowledge {}
}

declare module './index.js' {
  interface Tables {
    encounter_version: EncounterVersionTable;
  }
}
