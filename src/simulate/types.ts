/** Public and internal shapes of the hospital simulator. */
export interface SimulateOptions {
  patients: number;
  days: number;
  seed: number;
  /** ISO instant where the simulated window begins; defaults to 2026-01-05T00:00:00Z for determinism. */
  start?: string;
}

export const FACILITIES = ['NORTH', 'SOUTH', 'LAB', 'RAD'] as const;
export type Facility = (typeof FACILITIES)[number];
export const CAMPUSES = ['NORTH', 'SOUTH'] as const;
export type Campus = (typeof CAMPUSES)[number];

export const MODALITIES = ['labs', 'vitals', 'imaging', 'notes', 'medications', 'problems', 'encounter'] as const;
export type Modality = (typeof MODALITIES)[number];

export interface SimMessage {
  seq: number;
  /** ISO instant the sender transmitted the message (also MSH-7). */
  sentAt: string;
  facility: string;
  type: string;
  controlId: string;
  /** HL7 v2 text, segments terminated by \r. */
  text: string;
  /** Who the message is about; lets sendFeed keep one person's messages in order on one connection. */
  personId?: string;
}

export interface Address {
  line: string;
  city: string;
  state: string;
  zip: string;
}

export interface Demographics {
  family: string;
  given: string;
  middle?: string;
  sex: 'M' | 'F';
  /** YYYY-MM-DD */
  birthDate: string;
  address: Address;
  phone?: string;
  ssn?: string;
}

export const NOISE_KINDS = [
  'typo-family',
  'typo-given',
  'nickname',
  'swapped-names',
  'dob-day-month-swap',
  'dob-typo',
  'middle-missing',
  'middle-initial',
  'missing-phone',
  'changed-address',
  'missing-ssn',
] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export interface TruthPerson extends Demographics {
  personId: string;
}

export interface TruthRecord {
  facility: string;
  /** Assigning authority of PID-3 (NORTH, SOUTH, LAB). */
  system: string;
  value: string;
  personId: string;
  /** Demographics as this source holds them (after noise and any A08 updates). */
  demographics: Demographics;
  noise: NoiseKind[];
  /** True for a same-facility duplicate that a later A40 merges away. */
  duplicate?: boolean;
  /** When an A08 replaced this record's noisy demographics with the person's true ones. */
  correctedAt?: string;
}

export interface TruthFact {
  personId: string;
  /** `${system}|${value}` of the record the message was filed under (PID-3, first repetition). */
  record: string;
  facility: string;
  modality: Modality;
  code: string;
  value?: string | number;
  unit?: string;
  clinicalTime: string;
  sentAt: string;
  controlId: string;
  corrected?: boolean;
  correctionOf?: string;
}

export interface TruthMerge {
  personId: string;
  facility: string;
  system: string;
  survivor: string;
  merged: string;
  /** When the duplicate record first appeared in the feed. */
  duplicateCreatedAt: string;
  sentAt: string;
  controlId: string;
}

export interface TruthEncounter {
  personId: string;
  record: string;
  facility: string;
  visitNumber: string;
  patientClass: 'I' | 'O' | 'E';
  start: string;
  end?: string;
  cancelled?: boolean;
  locations: string[];
}

export interface SimTruth {
  options: Required<SimulateOptions>;
  persons: TruthPerson[];
  records: TruthRecord[];
  facts: TruthFact[];
  merges: TruthMerge[];
  encounters: TruthEncounter[];
}

export interface SimulateResult {
  messages: SimMessage[];
  truth: SimTruth;
}

/** A patient identifier as written into PID-3. */
export interface RecordRef {
  system: string;
  value: string;
  truth: TruthRecord;
}

/** Context a draft needs to become text once send order (and so control ids) is known. */
export interface RenderContext {
  controlId: string;
  /** Timestamp in this message's habit (with or without UTC offset). */
  ts(utcMs: number): string;
  /** Control id of another draft, e.g. the result a correction replaces. */
  controlIdOf(draft: Draft): string;
}

/** A message planned but not yet rendered; facts lack sentAt/controlId until send order is fixed. */
export interface Draft {
  order: number;
  sentAtMs: number;
  facility: Facility;
  type: string;
  personId: string;
  withOffset: boolean;
  facts: Omit<TruthFact, 'sentAt' | 'controlId' | 'correctionOf'>[];
  correctionOf?: Draft;
  render(ctx: RenderContext): string[];
}
