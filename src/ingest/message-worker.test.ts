import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { pino } from 'pino';
import { ENGINES, createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { createClassifier } from './classify.js';
import { HandlerRegistry, type MessageHandler } from './handler-registry.js';
import { createIntake } from './intake.js';
import { saveMessages } from './message-store.repository.js';
import { MessageWorker, type ProcessResult } from './message-worker.js';
import { structureOnlyHandler } from './structure-handler.js';

const silent = pino({ level: 'silent' });

function adt(controlId: string, mrn: string): string {
  return [
    `MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101120000||ADT^A08^ADT_A01|${controlId}|P|2.5.1`,
    'EVN|A08|20240101120000',
    `PID|1||${mrn}^^^GH^MR||DOE^JANE||19610615|F`,
    'PV1|1|I',
  ].join('\r');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(ENGINES)('MessageWorker on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database?.close());

  /** Stores messages through the real intake, one receipt each, in the given order; returns their ids. */
  async function store(messages: { controlId: string; mrn: string }[]): Promise<string[]> {
    const intake = createIntake({ classifier: createClassifier(() => true), save: (m) => saveMessages(database.db, m) });
    const ids: string[] = [];
    // Sequential, so that ids follow the list order (the arrival order the worker must keep).
    for (const m of messages) {
      const reply = await intake.receive({ bytes: Buffer.from(adt(m.controlId, m.mrn)), transport: 'mllp', receivedAt: new Date() });
      expect(reply.outcomes[0]?.status).toBe('accepted');
      ids.push(reply.outcomes[0]?.id as string);
    }
    return ids;
  }

  const row = (id: string) => database.db.selectFrom('hl7_message').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('processes pending messages and marks them done', async () => {
    const ids = await store([
      { controlId: 'W1', mrn: 'A1' },
      { controlId: 'W2', mrn: 'A2' },
      { controlId: 'W3', mrn: 'A1' },
    ]);
    const worker = new MessageWorker(database.db, new HandlerRegistry().register(structureOnlyHandler()), silent);
    const events: ProcessResult[] = [];
    worker.on('processed', (r: ProcessResult) => events.push(r));
    expect(await worker.drain()).toBe(3);
    expect(events).toEqual(ids.map((id) => ({ id, ok: true, reason: null })));
    for (const id of ids) {
      const r = await row(id);
      expect(r).toMatchObject({ process_state: 'done', status: 'accepted', reason: null, claimed_until: null, attempts: 1 });
      expect(r.processed_at).toBeInstanceOf(Date);
    }
    expect(await worker.drain()).toBe(0);
  });

  it('records a handler failure as status error with its reason, and goes on with the other messages', async () => {
    const ids = await store([
      { controlId: 'F1', mrn: 'B1' },
      { controlId: 'F2', mrn: 'B1' },
      { controlId: 'F3', mrn: 'B2' },
    ]);
    const handled: string[] = [];
    const failing: MessageHandler = {
      name: 'fails-on-F1',
      structures: '*',
      async process({ message, trx, row: r }) {
        // An effect written before the throw must roll back with the failure.
        await trx.updateTable('hl7_message').set({ peer: 'touched' }).where('id', '=', r.id).execute();
        if (message.controlId === 'F1') throw new Error('mapping failed for F1');
        handled.push(message.controlId);
      },
    };
    const worker = new MessageWorker(database.db, new HandlerRegistry().register(failing), silent);
    expect(await worker.drain()).toBe(3);
    expect(handled).toEqual(['F2', 'F3']);
    const failed = await row(ids[0] as string);
    expect(failed).toMatchObject({ status: 'error', process_state: 'failed', claimed_until: null, peer: null });
    expect(failed.reason).toEqual([{ code: 207, text: 'mapping failed for F1' }]);
    expect((await row(ids[1] as string)).process_state).toBe('done');
    expect((await row(ids[2] as string)).process_state).toBe('done');
    expect((await row(ids[1] as string)).peer).toBe('touched');
  });

  it('keeps per-patient arrival order with two workers draining the same database, each message exactly once', async () => {
    const patients = ['P0', 'P1', 'P2', 'P3', 'P4', 'P5'];
    const list = Array.from({ length: 60 }, (_, i) => ({ controlId: `ORD${i}`, mrn: patients[(i * 7) % patients.length] as string }));
    const ids = await store(list);
    const seen: { worker: string; id: string; patient: string }[] = [];
    const recording = (worker: string): MessageHandler => ({
      name: `recording-${worker}`,
      structures: '*',
      async process({ row: r }) {
        seen.push({ worker, id: r.id, patient: r.patient_key as string });
        // A little work, so the two workers overlap (on PostgreSQL they really race).
        await sleep(Math.floor(Math.random() * 4));
      },
    });
    const a = new MessageWorker(database.db, new HandlerRegistry().register(recording('a')), silent, { batchSize: 4 });
    const b = new MessageWorker(database.db, new HandlerRegistry().register(recording('b')), silent, { batchSize: 4 });
    // Each drains until nothing is claimable for it; loop until the whole backlog is gone.
    for (let round = 0; round < 20; round++) {
      await Promise.all([a.drain(), b.drain()]);
      const left = await database.db.selectFrom('hl7_message').select('id').where('process_state', '=', 'pending').execute();
      if (left.length === 0) break;
    }
    expect(seen.map((s) => s.id).sort((x, y) => Number(x) - Number(y))).toEqual(ids);
    for (const p of patients) {
      const order = seen.filter((s) => s.patient === `GH|${p}`).map((s) => Number(s.id));
      expect(order).toHaveLength(10);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    const states = await database.db.selectFrom('hl7_message').select(['process_state', 'attempts']).where('id', 'in', ids).execute();
    expect(states.every((s) => s.process_state === 'done' && s.attempts === 1)).toBe(true);
  });

  it('takes over a message whose claim expired (its worker crashed) but not one still leased', async () => {
    const [crashed, leased] = await store([
      { controlId: 'L1', mrn: 'C1' },
      { controlId: 'L2', mrn: 'C2' },
    ]);
    // As a worker that claimed them and died would leave them: pending, attempted once, claimed.
    await sql`UPDATE hl7_message SET attempts = 1, claimed_until = now() - interval '1 minute' WHERE id = ${crashed}`.execute(database.db);
    await sql`UPDATE hl7_message SET attempts = 1, claimed_until = now() + interval '10 minutes' WHERE id = ${leased}`.execute(database.db);
    const worker = new MessageWorker(database.db, new HandlerRegistry().register(structureOnlyHandler()), silent);
    const processed: string[] = [];
    worker.on('processed', (r: ProcessResult) => processed.push(r.id));
    expect(await worker.drain()).toBe(1);
    expect(processed).toEqual([crashed]);
    expect(await row(crashed as string)).toMatchObject({ process_state: 'done', attempts: 2, claimed_until: null });
    expect(await row(leased as string)).toMatchObject({ process_state: 'pending', attempts: 1 });
  });

  it('does not run a later message of a patient while an earlier one is leased elsewhere', async () => {
    const [first, second, other] = await store([
      { controlId: 'H1', mrn: 'D1' },
      { controlId: 'H2', mrn: 'D1' },
      { controlId: 'H3', mrn: 'D2' },
    ]);
    await sql`UPDATE hl7_message SET attempts = 1, claimed_until = now() + interval '10 minutes' WHERE id = ${first}`.execute(database.db);
    const worker = new MessageWorker(database.db, new HandlerRegistry().register(structureOnlyHandler()), silent);
    const processed: string[] = [];
    worker.on('processed', (r: ProcessResult) => processed.push(r.id));
    await worker.drain();
    // Only the unrelated patient's message: D1's second message waits for its first.
    expect(processed.filter((id) => [first, second, other].includes(id))).toEqual([other]);
    expect((await row(second as string)).process_state).toBe('pending');
  });
});
