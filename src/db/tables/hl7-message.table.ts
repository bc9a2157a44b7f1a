import type { ColumnType, Generated, Selectable } from 'kysely';

export const MESSAGE_STATUSES = ['accepted', 'duplicate', 'error', 'rejected'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Where a stored message stands in processing after the store: pending → done | failed; skipped when never processable. */
export const PROCESS_STATES = ['pending', 'done', 'failed', 'skipped'] as const;
export type ProcessState = (typeof PROCESS_STATES)[number];

export const TRANSPORTS = ['mllp', 'http', 'file'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface StoredIssue {
  /** HL7 table 0357 error code (100 segment sequence, 101 required field missing, 207 application error, …). */
  code: number;
  location?: string;
  text: string;
}

/** The message store: every receipt, raw bytes first (a repeat receipt keeps no bytes, only a pointer). */
export interface Hl7MessageTable {
  id: Generated<string>;
  received_at: ColumnType<Date, Date | string, never>;
  transport: Transport;
  peer: string | null;
  sender: string | null;
  facility: string | null;
  control_id: string | null;
  message_type: string | null;
  structure: string | null;
  version: string | null;
  charset: string | null;
  sha256: Buffer;
  raw: Buffer | null;
  size: number;
  status: MessageStatus;
  ack_code: string;
  reason: ColumnType<StoredIssue[] | null, string | null, string | null>;
  duplicate_of: string | null;
  flags: ColumnType<string[], string[] | undefined, string[]>;
  patient_key: string | null;
  process_state: ProcessState;
  processed_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  claimed_until: ColumnType<Date | null, Date | string | null, Date | string | null>;
}

export type Hl7MessageRow = Selectable<Hl7MessageTable>;
