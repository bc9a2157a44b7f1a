import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Hl7MessageRow, StoredIssue } from '../db/tables/hl7-message.table.js';
import { issuesOf } from './classify.js';
import type { HandlerRegistry } from './handler-registry.js';
import { decodeWith, Hl7v2Message, splitMessages } from './hl7v2/index.js';

export interface WorkerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerOptions {
  batchSize?: number;
  /** How long a claim is held before another process may take the message over (crash recovery). */
  leaseSeconds?: number;
  pollMs?: number;
  /** A message that keeps meeting transient database errors is marked failed after this many claims. */
  maxAttempts?: number;
}

export interface ProcessResult {
  id: string;
  ok: boolean;
  reason: StoredIssue[] | null;
}

/**
 * Processes stored messages after their ACK. Several processes may run workers on one database:
 * claims use FOR UPDATE SKIP LOCKED, and a message is claimable only when no earlier pending
 * message of the same patient is held elsewhere, so one patient's messages run in arrival order.
 */
export class MessageWorker extends EventEmitter {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly leaseSeconds: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: Db,
    private readonly handlers: HandlerRegistry,
    private readonly logger: WorkerLogger,
    opts: WorkerOptions = {},
  ) {
    super();
    this.batchSize = opts.batchSize ?? 200;
    this.leaseSeconds = opts.leaseSeconds ?? 120;
    this.pollMs = opts.pollMs ?? 500;
    this.maxAttempts = opts.maxAttempts ?? 5;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** New work was stored: skip the poll wait. */
  notify(): void {
    this.wake?.();
  }

  /** Process until nothing claimable is left; returns how many messages were processed. */
  async drain(): Promise<number> {
    let total = 0;
    for (let step = await this.step(); step.claimed > 0; step = await this.step()) total += step.processed;
    return total;
  }

  /** One claimed batch; returns how many messages were processed (deferred ones are not counted). */
  async runOnce(): Promise<number> {
    return (await this.step()).processed;
  }

  private async step(): Promise<{ claimed: number; processed: number }> {
    const rows = await this.claim();
    if (rows.length === 0) return { claimed: 0, processed: 0 };
    const results = await this.processBatch(rows);
    results.forEach((result, i) => this.emit('processed', result, rows[i]));
    return { claimed: rows.length, processed: results.length };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let n = 0;
      try {
        n = await this.runOnce();
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, 'message worker: claim failed');
      }
      if (n === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private async claim(): Promise<Hl7MessageRow[]> {
    const { rows } = await sql<Hl7MessageRow>`
      WITH cand AS (
        SELECT id, patient_key FROM hl7_message
        WHERE process_state = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
        ORDER BY id
        LIMIT ${this.batchSize}
        FOR UPDATE SKIP LOCKED
      ), ready AS (
        SELECT c.id FROM cand c
        WHERE c.patient_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM hl7_message e
          WHERE e.process_state = 'pending' AND e.patient_key = c.patient_key AND e.id < c.id
            AND e.id NOT IN (SELECT id FROM cand))
      )
      UPDATE hl7_message m
      SET claimed_until = now() + make_interval(secs => ${this.leaseSeconds}), attempts = m.attempts + 1
      FROM ready WHERE m.id = ready.id
      RETURNING m.*`.execute(this.db);
    return rows.map((r) => ({ ...r, id: String(r.id) })).sort((a, b) => Number(a.id) - Number(b.id));
  }

  /**
   * One transaction per claimed batch (one commit instead of one per message), one savepoint per
   * message: a failing message rolls back to its savepoint and is marked `error` with its reason,
   * the others commit with their `done` marks, so every message's effects exist exactly when its
   * mark does. A crash before the commit leaves the whole batch pending and claimable after its
   * lease. A transient database error (deadlock, serialization failure) is not the message's
   * fault: the batch stops there, and that message and the rest go back to the queue unmarked,
   * which also keeps a patient's later messages from overtaking it.
   */
  async processBatch(rows: readonly Hl7MessageRow[]): Promise<ProcessResult[]> {
    const results: ProcessResult[] = [];
    let released: Hl7MessageRow[] = [];
    await this.db.transaction().execute(async (trx) => {
      for (const [i, row] of rows.entries()) {
        await sql`SAVEPOINT sinew_message`.execute(trx);
        try {
          await this.handle(trx, row);
          await sql`RELEASE SAVEPOINT sinew_message`.execute(trx);
          results.push({ id: row.id, ok: true, reason: null });
        } catch (err) {
          await sql`ROLLBACK TO SAVEPOINT sinew_message`.execute(trx);
          if (isTransient(err) && row.attempts < this.maxAttempts) {
            released = rows.slice(i);
            this.logger.warn({ messageId: row.id, err: (err as Error).message, requeued: released.length }, 'message processing deferred');
            break;
          }
          const reason = issuesOf(err, 207);
          await trx
            .updateTable('hl7_message')
            .set({ process_state: 'failed', processed_at: new Date(), claimed_until: null, status: 'error', reason: JSON.stringify(reason) })
            .where('id', '=', row.id)
            .execute();
          this.logger.warn({ messageId: row.id, type: row.message_type, issues: reason.length }, 'message processing failed');
          results.push({ id: row.id, ok: false, reason });
        }
      }
      const done = results.filter((r) => r.ok).map((r) => r.id);
      if (done.length) {
        await trx
          .updateTable('hl7_message')
          .set({ process_state: 'done', processed_at: new Date(), claimed_until: null, status: 'accepted', reason: null })
          .where('id', 'in', done)
          .execute();
      }
      if (released.length) {
        await trx.updateTable('hl7_message').set({ claimed_until: null }).where('id', 'in', released.map((r) => r.id)).execute();
      }
    });
    return results;
  }

  /** Process one claimed message in a transaction of its own (replay and tests use this). */
  async processRow(row: Hl7MessageRow): Promise<ProcessResult> {
    const [result] = await this.processBatch([row]);
    return result ?? { id: row.id, ok: false, reason: [{ code: 207, text: 'deferred after a transient database error' }] };
  }

  private async handle(trx: Db, row: Hl7MessageRow): Promise<void> {
    const message = parseStored(row);
    const handler = this.handlers.resolve(message.messageType.structure);
    if (!handler) throw new Error(`no handler for ${message.messageType.structure}`);
    await handler.process({ trx, row, message });
  }
}

/** SQLSTATE class 40 (deadlock, serialization failure): the same work succeeds when tried again. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('40');
}

export function parseStored(row: Pick<Hl7MessageRow, 'raw' | 'charset'>): Hl7v2Message {
  if (!row.raw) throw new Error('a duplicate receipt has no bytes of its own');
  const charset = row.charset ?? 'utf8';
  const [text] = splitMessages(decodeWith(row.raw, charset)).messages;
  return Hl7v2Message.parse(text ?? '', { charset });
}
