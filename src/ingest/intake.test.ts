import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ENGINES, createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { createClassifier } from './classify.js';
import { HandlerRegistry } from './handler-registry.js';
import { createIntake, type Intake } from './intake.js';
import { CONTROL_ID_REUSED, saveMessages, type NewMessage } from './message-store.repository.js';
import { structureOnlyHandler } from './structure-handler.js';

const FIXED = new Date('2026-01-05T10:15:00Z');

function adt(controlId: string, opts: { pid?: string; family?: string } = {}): string {
  const pid = opts.pid ?? `PID|1||${controlId}^^^GH^MR||${opts.family ?? 'DOE'}^JANE||19610615|F`;
  return [`MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101120000||ADT^A01^ADT_A01|${controlId}|P|2.5.1`, 'EVN|A01|20240101120000', pid, 'PV1|1|I'].join('\r') + '\r';
}

const fields = (ack: string, seg: string): string[][] =>
  ack
    .split('\r')
    .filter((s) => s.startsWith(`${seg}|`))
    .map((s) => s.split('|'));

describe.each(ENGINES)('intake on %s', (engine) => {
  let database: TestDatabase;
  let intake: Intake;
  const commits: number[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const registry = new HandlerRegistry().register(structureOnlyHandler());
    intake = createIntake({
      classifier: createClassifier((s) => registry.supports(s)),
      // Count commits: the number of save calls is the number of group commits.
      save: (messages: NewMessage[]) => {
        commits.push(messages.length);
        return saveMessages(database.db, messages);
      },
      clock: () => FIXED,
    });
  });
  afterAll(() => database?.close());

  const receive = (bytes: string | Buffer) =>
    intake.receive({ bytes: typeof bytes === 'string' ? Buffer.from(bytes) : bytes, transport: 'mllp', peer: 'test', receivedAt: new Date() });

  const rowsFor = (controlId: string) =>
    database.db.selectFrom('hl7_message').select(['id', 'status', 'duplicate_of', 'flags', 'raw', 'ack_code']).where('control_id', '=', controlId).orderBy('id').execute();

  it('answers a resend of the same bytes AA again and stores it once; the repeat is a duplicate of the original', async () => {
    const first = await receive(adt('DUP1'));
    const second = await receive(adt('DUP1'));
    expect(fields(first.ack, 'MSA')).toEqual([['MSA', 'AA', 'DUP1', 'Message stored']]);
    expect(fields(second.ack, 'MSA')).toEqual([['MSA', 'AA', 'DUP1', 'Message stored']]);
    expect(first.outcomes).toEqual([{ id: expect.any(String), status: 'accepted', ackCode: 'AA', controlId: 'DUP1', reason: null, duplicateOf: null }]);
    const originalId = first.outcomes[0]?.id;
    expect(second.outcomes).toEqual([{ id: expect.any(String), status: 'duplicate', ackCode: 'AA', controlId: 'DUP1', reason: null, duplicateOf: originalId }]);
    // Each reply has its own MSH-10.
    expect(fields(first.ack, 'MSH')[0]?.[9]).toBe(`SINEW${originalId}`);
    expect(fields(second.ack, 'MSH')[0]?.[9]).toBe(`SINEW${second.outcomes[0]?.id}`);
    expect(fields(first.ack, 'MSH')[0]?.[6]).toBe('20260105101500+0000');

    const rows = await rowsFor('DUP1');
    expect(rows.map((r) => [r.status, r.duplicate_of === null ? null : String(r.duplicate_of), r.raw === null])).toEqual([
      ['accepted', null, false],
      ['duplicate', originalId, true],
    ]);
  });

  it('stores the same MSH-10 with different bytes as a new original, flagged control-id-reused', async () => {
    const a = await receive(adt('REUSE1', { family: 'DOE' }));
    const b = await receive(adt('REUSE1', { family: 'ROE' }));
    expect(fields(b.ack, 'MSA')[0]?.slice(0, 3)).toEqual(['MSA', 'AA', 'REUSE1']);
    expect(b.outcomes[0]).toMatchObject({ status: 'accepted', duplicateOf: null });
    const rows = await rowsFor('REUSE1');
    expect(rows.map((r) => [String(r.id), r.status, r.duplicate_of, r.flags])).toEqual([
      [a.outcomes[0]?.id, 'accepted', null, []],
      [b.outcomes[0]?.id, 'accepted', null, [CONTROL_ID_REUSED]],
    ]);
  });

  it('answers a stored message that cannot be processed AE with an ERR naming code, location and text', async () => {
    const reply = await receive('MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101||ADT^A01|AE1|P|2.5.1\rEVN|A01|20240101\rPV1|1|I\r');
    expect(reply.ack.split('\r').slice(1)).toEqual([
      'MSA|AE|AE1|ADT_A01 requires a PID segment',
      'ERR||PID^1|100^Segment sequence error^HL70357|E||||ADT_A01 requires a PID segment',
      '',
    ]);
    expect(reply.outcomes[0]).toMatchObject({ status: 'error', ackCode: 'AE', reason: [{ code: 100, location: 'PID', text: 'ADT_A01 requires a PID segment' }] });
    // The resend of an AE message gets AE again, with the same ERR.
    const again = await receive('MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101||ADT^A01|AE1|P|2.5.1\rEVN|A01|20240101\rPV1|1|I\r');
    expect(again.outcomes[0]).toMatchObject({ status: 'duplicate', ackCode: 'AE', duplicateOf: reply.outcomes[0]?.id });
    expect(again.ack.split('\r').slice(1)).toEqual(reply.ack.split('\r').slice(1));
  });

  it('answers garbage AR with an empty MSA-2 and an ERR, and keeps a rejected record', async () => {
    const reply = await receive(Buffer.from('hello there\r'));
    expect(reply.ack.split('\r').slice(1)).toEqual([
      'MSA|AR||not an HL7 message: no MSH segment',
      'ERR|||100^Segment sequence error^HL70357|E||||not an HL7 message: no MSH segment',
      '',
    ]);
    const row = await database.db.selectFrom('hl7_message').selectAll().where('id', '=', reply.outcomes[0]?.id as string).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'rejected', ack_code: 'AR', control_id: null, process_state: 'skipped' });
    expect(row.raw?.toString()).toBe('hello there\r');
  });

  it('answers an unsupported type AR 200', async () => {
    const reply = await receive('MSH|^~\\&|A|B|C|D|20240101||ZZZ^Z01|ZZ1|P|2.5.1\r');
    expect(fields(reply.ack, 'MSA')).toEqual([['MSA', 'AR', 'ZZ1', 'unsupported message type ZZZ\\S\\Z01']]);
    expect(fields(reply.ack, 'ERR')).toEqual([['ERR', '', 'MSH^1^9^^1', '200^Unsupported message type^HL70357', 'E', '', '', '', 'unsupported message type ZZZ\\S\\Z01']]);
  });

  it('answers a Latin-1 message in Latin-1, naming the charset in MSH-18', async () => {
    const text = adt('LAT1', { family: 'MÜLLER' }).replace('|P|2.5.1\r', '|P|2.5.1||||||8859/1\r');
    const reply = await receive(Buffer.from(text, 'latin1'));
    expect(fields(reply.ack, 'MSH')[0]?.[17]).toBe('8859/1');
    expect(reply.ackBytes.equals(Buffer.from(reply.ack, 'latin1'))).toBe(true);
    const [row] = await rowsFor('LAT1');
    expect(row?.raw?.equals(Buffer.from(text, 'latin1'))).toBe(true);
  });

  it('answers a batch receipt with a BHS…BTS batch holding one ACK per member, in order', async () => {
    const text = `BHS|^~\\&|ADT1|GH\r${adt('BAT1')}${adt('BAT2')}MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101||ADT^A01|BAT3|P|2.5.1\rEVN|A01|20240101\rBTS|3\r`;
    const reply = await receive(text);
    const lines = reply.ack.split('\r');
    expect(lines[0]).toBe('BHS|^~\\&|SINEW|SINEW|||20260105101500+0000');
    expect(lines.at(-2)).toBe('BTS|3');
    expect(fields(reply.ack, 'MSH')).toHaveLength(3);
    expect(fields(reply.ack, 'MSA')).toEqual([
      ['MSA', 'AA', 'BAT1', 'Message stored'],
      ['MSA', 'AA', 'BAT2', 'Message stored'],
      ['MSA', 'AE', 'BAT3', 'ADT_A01 requires a PID segment'],
    ]);
    expect(fields(reply.ack, 'ERR').map((f) => [f[2], f[8]])).toEqual([
      ['PID^1', 'ADT_A01 requires a PID segment'],
      ['PV1^1', 'ADT_A01 requires a PV1 segment'],
    ]);
    // The ERRs follow BAT3's MSA, inside its own ACK.
    expect(lines.findIndex((l) => l.startsWith('ERR|'))).toBe(lines.findIndex((l) => l.startsWith('MSA|AE|BAT3')) + 1);
    expect(reply.outcomes.map((o) => [o.controlId, o.status])).toEqual([
      ['BAT1', 'accepted'],
      ['BAT2', 'accepted'],
      ['BAT3', 'error'],
    ]);
  });

  it('groups 200 concurrent receipts into fewer commits, and answers each with its own ACK', async () => {
    commits.length = 0;
    const ids = Array.from({ length: 200 }, (_, i) => `GRP${String(i).padStart(3, '0')}`);
    // Every tenth message lacks its PID, so replies differ and a mix-up would show.
    const texts = ids.map((id, i) =>
      i % 10 === 9 ? `MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101||ADT^A01|${id}|P|2.5.1\rEVN|A01|20240101\rPV1|1|I\r` : adt(id),
    );
    const replies = await Promise.all(texts.map((t) => receive(t)));
    expect(commits.reduce((a, b) => a + b, 0)).toBe(200);
    expect(commits.length).toBeLessThan(200);
    expect(commits.length).toBeLessThanOrEqual(20);
    replies.forEach((r, i) => {
      expect(fields(r.ack, 'MSA')[0]?.slice(0, 3)).toEqual(['MSA', i % 10 === 9 ? 'AE' : 'AA', ids[i]]);
      expect(r.outcomes[0]?.controlId).toBe(ids[i]);
    });
    const ackIds = new Set(replies.map((r) => fields(r.ack, 'MSH')[0]?.[9]));
    expect(ackIds.size).toBe(200);
    const stored = await database.db.selectFrom('hl7_message').select(['id', 'control_id']).where('control_id', 'like', 'GRP%').execute();
    expect(stored).toHaveLength(200);
    // The ACK's id is the stored row's id: every reply maps to the row holding its own message.
    const byId = new Map(stored.map((s) => [String(s.id), s.control_id]));
    replies.forEach((r, i) => expect(byId.get(r.outcomes[0]?.id as string)).toBe(ids[i]));
  });
});
