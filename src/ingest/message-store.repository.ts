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
 * Store a batch of receipts in one transaction (one fsync). A byte-identical resend becomes a
 * `duplicate` row pointing at its original and answered with the original's ACK code; the unique
 * index on sha256 makes that true across processes too, not only within this one.
 */
export async function saveMessages(db: Db, messages: NewMessage[]): Promise<SavedMessage[]> {
  return db.transaction().execute(async (trx) => {
    const out: (SavedMessage | undefined)[] = new Array(messages.length);
    const originals = await findOriginals(trx, messages.map((m) => m.sha256));
    const reused = await findReusedControlIds(trx, messages);

    const toInsert: number[] = [];
    const firstInBatch = new Map<string, number>();
    messages.forEach((m, i) => {
      const key = m.sha256.toString('hex');
      if (!originals.has(key) && !firstInBatch.has(key)) {
        firstInBatch.set(key, i);
        toInsert.push(i);
      }
    });

    const inserted = await insertOriginals(trx, toInsert.map((i) => messages[i] as NewMessage), reused);
    for (const row of inserted) originals.set(row.sha, row);
    // A concurrent process may have stored the same bytes between our look-up and insert.
    const insertedIds = new Set(inserted.map((r) => r.id));
    const insertedShas = new Set(inserted.map((r) => r.sha));
    const raced = toInsert.filter((i) => !insertedShas.has((messages[i] as NewMessage).sha256.toString('hex')));
    if (raced.length) for (const [k, v] of await findOriginals(trx, raced.map((i) => (messages[i] as NewMessage).sha256))) originals.set(k, v);

    const duplicates: { index: number; original: OriginalRow }[] = [];
    messages.forEach((m, i) => {
      const original = originals.get(m.sha256.toString('hex')) as OriginalRow;
      const isOriginal = insertedIds.has(original.id) && firstInBatch.get(original.sha) === i;
      if (isOriginal) {
        out[i] = { id: original.id, status: m.status, ackCode: m.ackCode, reason: m.reason, duplicateOf: null, flags: original.flags };
      } else {
        duplicates.push({ index: i, original });
      }
    });
    const dupIds = await insertDuplicates(trx, duplicates.map((d) => ({ message: messages[d.index] as NewMessage, original: d.original })));
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
  });
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

/** `sender|controlId` pairs already stored with other bytes. */
async function findReusedControlIds(db: Db, messages: NewMessage[]): Promise<Set<string>> {
  const withId = messages.filter((m) => m.controlId);
  if (withId.length === 0) return new Set();
  const { rows } = await sql<{ sender: string | null; control_id: string; sha256: Buffer }>`
    SELECT sender, control_id, sha256 FROM hl7_message
    WHERE duplicate_of IS NULL AND control_id = ANY(${withId.map((m) => m.controlId)}::text[])`.execute(db);
  const seen = new Map<string, Set<string>>();
  for (const r of rows) {
    const key = `${r.sender}|${r.control_id}`;
    seen.set(key, (seen.get(key) ?? new Set()).add(r.sha256.toString('hex')));
  }
  const reused = new Set<string>();
  for (const m of withId) {
    const key = `${m.sender}|${m.controlId}`;
    const shas = seen.get(key);
    const sha = m.sha256.toString('hex');
    if (shas && !shas.has(sha)) reused.add(sha);
    seen.set(key, (shas ?? new Set()).add(sha)); // two different messages with one MSH-10 in the same batch
  }
  return reused;
}

async function insertOriginals(db: Db, messages: NewMessage[], reused: Set<string>): Promise<OriginalRow[]> {
  if (messages.length === 0) return [];
  const col = <T>(f: (m: NewMessage) => T) => messages.map(f);
  const { rows } = await sql<{ id: string; sha256: Buffer; ack_code: AckCode; reason: StoredIssue[] | null; flags: string[] }>`
    INSERT INTO hl7_message (received_at, transport, peer, sender, facility, control_id, message_type, structure, version,
      charset, sha256, raw, size, status, ack_code, reason, flags, patient_key, process_state)
    SELECT received_at, transport, peer, sender, facility, control_id, message_type, structure, version,
      charset, sha256, raw, octet_length(raw), status, ack_code, reason::jsonb,
      CASE WHEN reused THEN ARRAY[${CONTROL_ID_REUSED}::text] ELSE '{}'::text[] END, patient_key, process_state
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
