import type { MessageStatus } from '../../db/tables/hl7-message.table.js';

export type ImportCounts = Record<MessageStatus, number>;

/**
 * Where `sinew import` sends each message: straight into a local database, or to a running server.
 * `finish` returns once everything sent has been processed through (or has failed), with final counts.
 */
export interface ImportSink {
  send(bytes: Buffer): Promise<void>;
  finish(): Promise<ImportCounts>;
  close(): Promise<void>;
}

export function emptyCounts(): ImportCounts {
  return { accepted: 0, duplicate: 0, error: 0, rejected: 0 };
}

export function formatCounts(c: ImportCounts): string {
  return `accepted ${c.accepted}, duplicate ${c.duplicate}, error ${c.error}, rejected ${c.rejected}`;
}
