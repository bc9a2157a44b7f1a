import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { MessageStatus, ProcessState, StoredIssue, Transport } from '../db/tables/hl7-message.table.js';
import type { AckCode } from './ack.js';

export interface NewMessage {
  receivedAt: Date;
  transport: Transport;
  peer: string | null;
  sender: string | null;
  facility: string | null;
  controlId: string | null;
  messageType: string | null;
  structure: string | null;
  version: string | null;
  charset: string | null;
  sha256: Buffer;
  raw: Buffer;
  status: Exclude<MessageStatus, 'duplicate'>;
  ackCode: AckCode;
  reason: StoredIssue[] | null;
  patientKey: string | null;
  processState: Extract<ProcessState, 'pending' | 'skipped'>;
}

export interface SavedMessage {
  id: string;
  status: MessageStatus;
  ackCode: AckCode;
  reason: StoredIssue[] | null;
  duplicateOf: string | null;
  flags: string[];
}

/** Flag on an original whose sender reused an MSH-10 with different bytes. */
export const CONTROL_ID_REUSED = 'control-id-reused';

/**
 * Store a batch of receipts. The common case is one INSERT statement (one commit, one fsync) for
 * the whole batch; a byte-identical resend, found by the unique index on sha256 (so also across
 * processes), becomes a `duplicate` row pointing at its original and answered with the original's
 * ACK code. A crash between the two statements loses no acknowledged message: nothing of the batch
 * has been acknowledged yet, and the sender's resend finds the originals.
 */
export async function saveMessages(db: Db, messages: NewMessage[]): Promise<SavedMessage[]> {
  const out: (SavedMessage | undefined)[] = new Array(messages.length);
  const firstInBatch = new Map<string, number>();
  const reusedInBatch = new Set<string>();
  const idsInBatch = new Map<string, string>();
  messages.forEach((m, i) => {
    const sha = m.sha256.toString('hex');
    if (firstInBatch.has(sha)) return;
    firstInBatch.set(sha, i);
    if (m.controlId) {
      const key = `${m.sender}|${m.controlId}`;
      if (idsInBatch.has(key) && idsInBatch.get(key) !== sha) reusedInBatch.add(sha);
      idsInBatch.set(key, sha);
    }
  });
  const candidates = [...firstInBatch.values()].map((i) => messages[i] as NewMessage);
  const inserted = new Map((await insertOriginals(db, candidates, reusedInBatch)).map((r) => [r.sha, r]));

  const pending: number[] = [];
  messages.forEach((m, i) => {
    const sha = m.sha256.toString('hex');
    const row = inserted.get(sha);
    if (row && firstInBatch.get(sha) === i) {
      out[i] = { id: row.id, status: m.status, ackCode: m.ackCode, reason: m.reason, duplicateOf: null, flags: row.flags };
    } else {
      pending.push(i);
    }
  });
  if (pending.length === 0) return out as SavedMessage[];

  const originals = await findOriginals(db, pending.map((i) => (messages[i] as NewMessage).sha256));
  const duplicates = pending.map((i) => {
    const original = originals.get((messages[i] as NewMessage).sha256.toString('hex'));
    if (!original) throw new Error('a message conflicted with an original that cannot be found');
    return { index: i, original };
  });
  const dupIds = await insertDuplicates(db, duplicates.map((d) => ({ message: messages[d.index] as NewMessage, original: d.original })));
  duplicates.forEach((d, k) => {
    out[d.index] = {
      id: dupIds[k] as string,
      status: 'duplicate',
      ackCode: d.original.ackCode,
      reason: d.original.reason,
      duplicateOf: d.original.id,
      flags: [],
    };
  });
  return out as SavedMessage[];
}

interface OriginalRow {
  id: string;
  sha: string;
  ackCode: AckCode;
  reason: StoredIssue[] | null;
  flags: string[];
}

async function findOriginals(db: Db, shas: Buffer[]): Promise<Map<string, OriginalRow>> {
  const { rows } = await sql<{ id: string; sha256: Buffer; ack_code: AckCode; reason: StoredIssue[] | null; flags: string[] }>`
    SELECT id, sha256, ack_code, reason, flags FROM hl7_message
    WHERE duplicate_of IS NULL AND sha256 = ANY(${shas}::bytea[])`.execute(db);
  return new Map(rows.map((r) => [r.sha256.toString('hex'), { id: String(r.id), sha: r.sha256.toString('hex'), ackCode: r.ack_code, reason: r.reason, flags: r.flags }]));
}

async function insertOriginals(db: Db, messages: NewMessage[], reused: Set<string>): Promise<OriginalRow[]> {
  if (messages.length === 0) return [];
  const col = <T>(f: (m: NewMessage) => T) => messages.map(f);
  const { rows } = await sql<{ id: string; sha256: Buffer; ack_code: AckCode; reason: StoredIssue[] | null; flags: string[] }>`
    INSERT INTO hl7_message (received_at, transport, peer, sender, facility, control_id, message_type, structure, version,
      charset, sha256, raw, size, status, ack_code, reason, flags, patient_key, process_state)
    SELECT received_at, transport, peer, sender, facility, control_id, message_type, structure, version,
      charset, sha256, raw, octet_length(raw), status, ack_code, reason::jsonb,
      CASE WHEN reused OR EXISTS (
        SELECT 1 FROM hl7_message h
        WHERE h.duplicate_of IS NULL AND h.control_id = t.control_id AND h.sender IS NOT DISTINCT FROM t.sender AND h.sha256 <> t.sha256
      ) THEN ARRAY[${CONTROL_ID_REUSED}::text] ELSE '{}'::text[] END, patient_key, process_state
    FROM unnest(
      ${col((m) => m.receivedAt.toISOString())}::timestamptz[], ${col((m) => m.transport)}::text[], ${col((m) => m.peer)}::text[],
      ${col((m) => m.sender)}::text[], ${col((m) => m.facility)}::text[], ${col((m) => m.controlId)}::text[],
      ${col((m) => m.messageType)}::text[], ${col((m) => m.structure)}::text[], ${col((m) => m.version)}::text[],
      ${col((m) => m.charset)}::text[], ${col((m) => m.sha256)}::bytea[], ${col((m) => m.raw)}::bytea[],
      ${col((m) => m.status)}::text[], ${col((m) => m.ackCode)}::text[], ${col((m) => (m.reason ? JSON.stringify(m.reason) : null))}::text[],
      ${col((m) => reused.has(m.sha256.toString('hex')))}::boolean[], ${col((m) => m.patientKey)}::text[], ${col((m) => m.processState)}::text[]
    ) AS t(received_at, transport, peer, sender, facility, control_id, message_type, structure, version,
      charset, sha256, raw, status, ack_code, reason, reused, patient_key, process_state)
    ON CONFLICT (sha256) WHERE duplicate_of IS NULL DO NOTHING
    RETURNING id, sha256, ack_code, reason, flags`.execute(db);
  return rows.map((r) => ({ id: String(r.id), sha: r.sha256.toString('hex'), ackCode: r.ack_code, reason: r.reason, flags: r.flags }));
}

async function insertDuplicates(db: Db, dups: { message: NewMessage; original: OriginalRow }[]): Promise<string[]> {
  if (dups.length === 0) return [];
  const col = <T>(f: (d: { message: NewMessage; original: OriginalRow }) => T) => dups.map(f);
  const { rows } = await sql<{ id: string; sha256: Buffer }>`
    INSERT INTO hl7_message (received_at, transport, peer, sender, facility, control_id, message_type, structure, version,
      charset, sha256, raw, size, status, ack_code, duplicate_of, patient_key, process_state)
    SELECT received_at, transport, peer, sender, facility, control_id, message_type, structure, version,
      charset, sha256, NULL, size, 'duplicate', ack_code, duplicate_of, patient_key, 'skipped'
    FROM unnest(
      ${col((d) => d.message.receivedAt.toISOString())}::timestamptz[], ${col((d) => d.message.transport)}::text[],
      ${col((d) => d.message.peer)}::text[], ${col((d) => d.message.sender)}::text[], ${col((d) => d.message.facility)}::text[],
      ${col((d) => d.message.controlId)}::text[], ${col((d) => d.message.messageType)}::text[], ${col((d) => d.message.structure)}::text[],
      ${col((d) => d.message.version)}::text[], ${col((d) => d.message.charset)}::text[], ${col((d) => d.message.sha256)}::bytea[],
      ${col((d) => d.message.raw.length)}::int[], ${col((d) => d.original.ackCode)}::text[], ${col((d) => d.original.id)}::bigint[],
      ${col((d) => d.message.patientKey)}::text[]
    ) WITH ORDINALITY AS t(received_at, transport, peer, sender, facility, control_id, message_type, structure, version,
      charset, sha256, size, ack_code, duplicate_of, patient_key, ord)
    ORDER BY ord
    RETURNING id, sha256`.execute(db);
  // Rows with the same bytes are interchangeable, so matching by hash in order is exact enough.
  const bySha = new Map<string, string[]>();
  for (const r of rows) bySha.set(r.sha256.toString('hex'), [...(bySha.get(r.sha256.toString('hex')) ?? []), String(r.id)]);
  return dups.map((d) => bySha.get(d.message.sha256.toString('hex'))?.shift() as string);
}
