import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { createClassifier } from './classify.js';
import { HandlerRegistry, type MessageHandler } from './handler-registry.js';
import { createIntake } from './intake.js';
import { saveMessages } from './message-store.repository.js';
import { MessageWorker } from './message-worker.js';
import { replayMessage } from './replay.js';
import { structureOnlyHandler } from './structure-handler.js';

const ADT_A01 = (controlId: string) =>
  [
    `MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|SINEW|SINEW|20240101120000||ADT^A01^ADT_A01|${controlId}|P|2.5.1`,
    'EVN|A01|20240101120000',
    'PID|1||PATID1234^^^GOODHEALTH^MR||EVERYMAN^ADAM^A||19610615|M',
    'PV1|1|I|2000^2012^01',
  ].join('\r') + '\r';

const silent = pino({ level: 'silent' });

describe.each(ENGINES)('replayMessage on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  async function store(controlId: string, supports: (s: string) => boolean): Promise<string> {
    const intake = createIntake({ classifier: createClassifier(supports), save: (m) => saveMessages(database.db, m) });
    const reply = await intake.receive({ bytes: Buffer.from(ADT_A01(controlId)), transport: 'http', receivedAt: new Date() });
    return reply.outcomes[0]?.id as string;
  }

  function setup(handler: MessageHandler = structureOnlyHandler()) {
    const registry = new HandlerRegistry().register(handler);
    const worker = new MessageWorker(database.db, registry, silent);
    const events: unknown[] = [];
    worker.on('processed', (result) => events.push(result));
    return { worker, classifier: createClassifier(registry.supports.bind(registry)), events };
  }

  it('re-classifies a message rejected as unsupported and processes it', async () => {
    const id = await store('R-1', () => false);
    const before = await database.db.selectFrom('hl7_message').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(before).toMatchObject({ status: 'rejected', process_state: 'skipped' });
    const { worker, classifier, events } = setup();
    const result = await replayMessage(database.db, worker, classifier, id);
    expect(result).toEqual({ id, status: 'accepted', ackCode: 'AA', processState: 'done', reason: null });
    expect(events).toEqual([{ id, ok: true, reason: null }]);
  });

  it('records a processing failure as an error with its reason', async () => {
    const id = await store('R-2', () => true);
    const failing: MessageHandler = {
      name: 'failing',
      structures: '*',
      process: async () => {
        throw new Error('mapping for PV1-3 is missing');
      },
    };
    const { worker, classifier } = setup(failing);
    const result = await replayMessage(database.db, worker, classifier, id);
    expect(result).toMatchObject({ id, status: 'error', processState: 'failed', reason: [{ code: 207, text: 'mapping for PV1-3 is missing' }] });
  });

  it('replays the original of a duplicate receipt', async () => {
    const original = await store('R-3', () => true);
    const dup = await store('R-3', () => true);
    expect(dup).not.toBe(original);
    const { worker, classifier } = setup();
    await expect(replayMessage(database.db, worker, classifier, dup)).resolves.toMatchObject({ id: original, requestedId: dup, status: 'accepted' });
  });

  it('refuses while the worker holds the message', async () => {
    const id = await store('R-4', () => true);
    await sql`UPDATE hl7_message SET claimed_until = now() + interval '1 minute' WHERE id = ${id}`.execute(database.db);
    const { worker, classifier } = setup();
    await expect(replayMessage(database.db, worker, classifier, id)).rejects.toMatchObject({ outcome: { issue: [{ code: 'conflict' }] } });
  });

  it.each(['999999999', 'abc'])('answers not-found for id %s', async (id) => {
    const { worker, classifier } = setup();
    await expect(replayMessage(database.db, worker, classifier, id)).rejects.toMatchObject({ outcome: { issue: [{ code: 'not-found' }] } });
  });
});
