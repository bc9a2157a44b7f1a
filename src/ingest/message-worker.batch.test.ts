import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { ENGINES, createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { createClassifier } from './classify.js';
import { HandlerRegistry, type MessageHandler } from './handler-registry.js';
import { createIntake } from './intake.js';
import { saveMessages } from './message-store.repository.js';
import { MessageWorker, type ProcessResult } from './message-worker.js';

const silent = pino({ level: 'silent' });

function adt(controlId: string, mrn: string): string {
  return [
    `MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101120000||ADT^A08^ADT_A01|${controlId}|P|2.5.1`,
    'EVN|A08|20240101120000',
    `PID|1||${mrn}^^^GH^MR||DOE^JANE||19610615|F`,
    'PV1|1|I',
  ].join('\r');
}

/** An error as node-postgres reports a deadlock the server broke (SQLSTATE 40P01). */
function deadlock(): Error {
  return Object.assign(new Error('deadlock detected'), { code: '40P01' });
}

describe.each(ENGINES)('MessageWorker batches on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database?.close());

  async function store(messages: { controlId: string; mrn: string }[]): Promise<string[]> {
    const intake = createIntake({ classifier: createClassifier(() => true), save: (m) => saveMessages(database.db, m) });
    const ids: string[] = [];
    for (const m of messages) {
      const reply = await intake.receive({ bytes: Buffer.from(adt(m.controlId, m.mrn)), transport: 'mllp', receivedAt: new Date() });
      ids.push(reply.outcomes[0]?.id as string);
    }
    return ids;
  }

  const row = (id: string) => database.db.selectFrom('hl7_message').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('commits a batch in one transaction: effects of each message exist exactly when it is marked done', async () => {
    const ids = await store([
      { controlId: 'B1', mrn: 'E1' },
      { controlId: 'B2', mrn: 'E2' },
      { controlId: 'B3', mrn: 'E3' },
    ]);
    const touching: MessageHandler = {
      name: 'touching',
      structures: '*',
      async process({ trx, row: r, message }) {
        await trx.updateTable('hl7_message').set({ peer: `touched-${message.controlId}` }).where('id', '=', r.id).execute();
        if (message.controlId === 'B2') throw new Error('B2 does not map');
      },
    };
    const worker = new MessageWorker(database.db, new HandlerRegistry().register(touching), silent, { batchSize: 10 });
    expect(await worker.drain()).toBe(3);
    expect(await row(ids[0] as string)).toMatchObject({ process_state: 'done', peer: 'touched-B1' });
    expect(await row(ids[1] as string)).toMatchObject({ process_state: 'failed', status: 'error', peer: null, reason: [{ code: 207, text: 'B2 does not map' }] });
    expect(await row(ids[2] as string)).toMatchObject({ process_state: 'done', peer: 'touched-B3' });
  });

  it('puts a message that met a transient database error back in the queue, with everything after it, and keeps patient order', async () => {
    const ids = await store([
      { controlId: 'T1', mrn: 'G1' },
      { controlId: 'T2', mrn: 'G2' },
      { controlId: 'T3', mrn: 'G2' },
      { controlId: 'T4', mrn: 'G3' },
    ]);
    const order: string[] = [];
    let deadlocks = 0;
    const flaky: MessageHandler = {
      name: 'deadlocks-once-on-T2',
      structures: '*',
      async process({ trx, row: r, message }) {
        await trx.updateTable('hl7_message').set({ peer: 'touched' }).where('id', '=', r.id).execute();
        if (message.controlId === 'T2' && deadlocks++ === 0) throw deadlock();
        order.push(message.controlId);
      },
    };
    const worker = new MessageWorker(database.db, new HandlerRegistry().register(flaky), silent, { batchSize: 10 });
    const results: ProcessResult[] = [];
    worker.on('processed', (r: ProcessResult) => results.push(r));

    expect(await worker.runOnce()).toBe(1);
    expect(order).toEqual(['T1']);
    // T2 was rolled back to its savepoint and released, unmarked; T3 (same patient) and T4 were not run.
    for (const id of ids.slice(1)) expect(await row(id)).toMatchObject({ process_state: 'pending', claimed_until: null, peer: null });

    expect(await worker.drain()).toBe(3);
    expect(order).toEqual(['T1', 'T2', 'T3', 'T4']);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    expect(await row(ids[1] as string)).toMatchObject({ process_state: 'done', attempts: 2, peer: 'touched' });
  });

  it('marks a message failed once it has met transient errors on every allowed attempt', async () => {
    const [id] = await store([{ controlId: 'X1', mrn: 'H1' }]);
    const always: MessageHandler = {
      name: 'always-deadlocks',
      structures: '*',
      async process() {
        throw deadlock();
      },
    };
    const worker = new MessageWorker(database.db, new HandlerRegistry().register(always), silent, { maxAttempts: 2 });
    expect(await worker.drain()).toBe(1);
    expect(await row(id as string)).toMatchObject({ process_state: 'failed', status: 'error', attempts: 2, reason: [{ code: 207, text: 'deadlock detected' }] });
  });
});
