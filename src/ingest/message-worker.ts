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
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  async runOnce(): Promise<number> {
    const rows = await this.claim();
    for (const row of rows) {
      const result = await this.processRow(row);
      this.emit('processed', result, row);
    }
    return rows.length;
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

  /** Run the handler and the `done` mark in one transaction: effects exist exactly when the mark does. */
  async processRow(row: Hl7MessageRow): Promise<ProcessResult> {
    try {
      await this.db.transaction().execute(async (trx) => {
        const message = parseStored(row);
        const handler = this.handlers.resolve(message.messageType.structure);
        if (!handler) throw new Error(`no handler for ${message.messageType.structure}`);
        await handler.process({ trx, row, message });
        await trx
          .updateTable('hl7_message')
          .set({ process_state: 'done', processed_at: new Date(), claimed_until: null, status: 'accepted', reason: null })
          .where('id', '=', row.id)
          .execute();
      });
      return { id: row.id, ok: true, reason: null };
    } catch (err) {
      const reason = issuesOf(err, 207);
      await this.db
        .updateTable('hl7_message')
        .set({ process_state: 'failed', processed_at: new Date(), claimed_until: null, status: 'error', reason: JSON.stringify(reason) })
        .where('id', '=', row.id)
        .execute();
      this.logger.warn({ messageId: row.id, type: row.message_type, issues: reason.length }, 'message processing failed');
      return { id: row.id, ok: false, reason };
    }
  }
}

export function parseStored(row: Pick<Hl7MessageRow, 'raw' | 'charset'>): Hl7v2Message {
  if (!row.raw) throw new Error('a duplicate receipt has no bytes of its own');
  const charset = row.charset ?? 'utf8';
  const [text] = splitMessages(decodeWith(row.raw, charset)).messages;
  return Hl7v2Message.parse(text ?? '', { charset });
}
