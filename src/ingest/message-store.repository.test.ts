import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ENGINES, createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { CONTROL_ID_REUSED, saveMessages, type NewMessage } from './message-store.repository.js';

function message(text: string, controlId: string, overrides: Partial<NewMessage> = {}): NewMessage {
  const raw = Buffer.from(text);
  return {
    receivedAt: new Date('2026-01-05T10:00:00Z'),
    transport: 'mllp',
    peer: '127.0.0.1:5000',
    sender: 'LAB|NORTH',
    facility: 'NORTH',
    controlId,
    messageType: 'ORU^R01',
    structure: 'ORU_R01',
    version: '2.5.1',
    charset: 'UTF-8',
    sha256: createHash('sha256').update(raw).digest(),
    raw,
    status: 'accepted',
    ackCode: 'AA',
    reason: null,
    patientKey: 'NORTH|123',
    processState: 'pending',
    ...overrides,
  };
}

describe.each(ENGINES)('message store on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database?.close());

  it('stores originals and turns byte-identical resends into duplicates of them, within and across batches', async () => {
    const a = message('MSH|a', 'A1');
    const b = message('MSH|b', 'B1', { status: 'error', ackCode: 'AE', reason: [{ code: 101, location: 'PID-3', text: 'missing' }], processState: 'skipped' });
    const first = await saveMessages(database.db, [a, b, a]);
    expect(first.map((r) => r.status)).toEqual(['accepted', 'error', 'duplicate']);
    expect(first[2]?.duplicateOf).toBe(first[0]?.id);

    const second = await saveMessages(database.db, [b, a]);
    expect(second.map((r) => [r.status, r.ackCode, r.duplicateOf])).toEqual([
      ['duplicate', 'AE', first[1]?.id],
      ['duplicate', 'AA', first[0]?.id],
    ]);
    expect(second[0]?.reason).toEqual([{ code: 101, location: 'PID-3', text: 'missing' }]);
    const originals = await database.db.selectFrom('hl7_message').where('duplicate_of', 'is', null).select('id').execute();
    expect(originals).toHaveLength(2);
    const dup = await database.db.selectFrom('hl7_message').selectAll().where('id', '=', second[1]?.id as string).executeTakeFirstOrThrow();
    expect(dup.raw).toBeNull(); // stored once: the repeat receipt keeps only a pointer
  });

  it('stores a reused control id with different bytes and flags it', async () => {
    const [orig] = await saveMessages(database.db, [message('MSH|c1', 'C1')]);
    const [other] = await saveMessages(database.db, [message('MSH|c2', 'C1')]);
    expect(orig?.flags).toEqual([]);
    expect(other?.status).toBe('accepted');
    expect(other?.flags).toEqual([CONTROL_ID_REUSED]);
  });

  it('keeps raw bytes exactly', async () => {
    const bytes = Buffer.from([0x4d, 0x53, 0x48, 0x7c, 0xc7, 0x00, 0xff, 0x0d]);
    const [saved] = await saveMessages(database.db, [message('x', 'BIN', { raw: bytes, sha256: createHash('sha256').update(bytes).digest() })]);
    const row = await database.db.selectFrom('hl7_message').select(['raw', 'size']).where('id', '=', saved?.id as string).executeTakeFirstOrThrow();
    expect(row.raw?.equals(bytes)).toBe(true);
    expect(row.size).toBe(8);
  });

  it('two concurrent batches with the same new bytes store one original', async () => {
    const m = message('MSH|race', 'R1');
    const [x, y] = await Promise.all([saveMessages(database.db, [m]), saveMessages(database.db, [m])]);
    expect([x?.[0]?.status, y?.[0]?.status].sort()).toEqual(['accepted', 'duplicate']);
  });
});
