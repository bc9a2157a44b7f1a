import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Hl7MessageRow, MessageStatus, ProcessState, StoredIssue } from '../db/tables/hl7-message.table.js';
import { OperationOutcomeError } from '../fhir/outcomes.js';
import type { Classifier } from './classify.js';
import type { MessageWorker } from './message-worker.js';

export interface ReplayResult {
  /** The message that was processed: the original when a duplicate receipt was asked for. */
  id: string;
  /** The id asked for, when it differs (a duplicate receipt). */
  requestedId?: string;
  status: MessageStatus;
  ackCode: string;
  processState: ProcessState;
  reason: StoredIssue[] | null;
}

/** How long a replay holds its claim, so the background worker does not take the same message. */
const REPLAY_LEASE_SECONDS = 300;

/**
 * Process a stored message again now, typically after a mapping fix: re-classify its raw bytes
 * with today's classifier (a type that was unsupported may be supported now), record the new
 * verdict, and when it is accepted run the worker's processing step on it. A duplicate receipt
 * has no bytes of its own, so its original is replayed. Unknown id → `not-found`; a message the
 * worker holds right now → `conflict`.
 */
export async function replayMessage(
  db: Db,
  worker: Pick<MessageWorker, 'processRow' | 'emit'>,
  classifier: Classifier,
  id: string,
): Promise<ReplayResult> {
  if (!/^\d{1,18}$/.test(id)) throw outcomeError('not-found', `no stored message ${id}`);
  const asked = await findRow(db, id);
  if (!asked) throw outcomeError('not-found', `no stored message ${id}`);
  const row = asked.duplicate_of ? await findRow(db, asked.duplicate_of) : asked;
  if (!row?.raw) throw outcomeError('not-found', `the original of message ${id} is gone`);

  const { messages } = classifier.classify({
    bytes: row.raw,
    transport: row.transport,
    peer: row.peer ?? undefined,
    receivedAt: row.received_at,
    charset: row.charset ?? undefined,
  });
  // A stored row holds one message (batches are stored per member), so the first is the one.
  const record = messages[0]?.record;
  if (!record) throw outcomeError('exception', `message ${row.id} could not be classified again`);
  const accepted = record.status === 'accepted';

  const { rows } = await sql<Hl7MessageRow>`
    UPDATE hl7_message SET
      status = ${record.status}, ack_code = ${record.ackCode},
      reason = ${record.reason ? JSON.stringify(record.reason) : null}::jsonb,
      sender = ${record.sender}, facility = ${record.facility}, control_id = ${record.controlId},
      message_type = ${record.messageType}, structure = ${record.structure}, version = ${record.version},
      patient_key = ${record.patientKey},
      process_state = ${accepted ? 'pending' : 'skipped'},
      claimed_until = ${accepted ? sql`now() + make_interval(secs => ${REPLAY_LEASE_SECONDS})` : null},
      processed_at = ${accepted ? null : sql`now()`},
      attempts = attempts + ${accepted ? 1 : 0}
    WHERE id = ${row.id}
      AND NOT (process_state = 'pending' AND claimed_until IS NOT NULL AND claimed_until > now())
    RETURNING *`.execute(db);
  const updated = rows[0];
  if (!updated) throw outcomeError('conflict', `message ${row.id} is being processed right now; try again shortly`);
  const claimed: Hl7MessageRow = { ...updated, id: String(updated.id) };

  if (accepted) {
    const result = await worker.processRow(claimed);
    // Same event as the worker loop, so metrics and listeners see replays like any processing.
    worker.emit('processed', result, claimed);
  }
  const final = (await findRow(db, claimed.id)) as Hl7MessageRow;
  return {
    id: final.id,
    ...(asked.id !== final.id ? { requestedId: asked.id } : {}),
    status: final.status,
    ackCode: final.ack_code,
    processState: final.process_state,
    reason: final.reason,
  };
}

async function findRow(db: Db, id: string): Promise<Hl7MessageRow | undefined> {
  const row = await db.selectFrom('hl7_message').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, id: String(row.id), duplicate_of: row.duplicate_of === null ? null : String(row.duplicate_of) } : undefined;
}

function outcomeError(code: 'not-found' | 'conflict' | 'exception', text: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] });
}
