import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Message } from 'node-hl7-client';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { testConfig } from '../../src/config/load-config.js';
import { wrapFrame } from '../../src/ingest/mllp/frame-decoder.js';
import { simulateHospital } from '../../src/simulate/index.js';
import { connectPeer, sleep, type TestPeer } from '../support/mllp-test-peer.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/test-database.js';

const IDLE_SECONDS = 1;
const MAX_BYTES = 64 * 1024;

function adt(controlId: string): string {
  return [
    `MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101120000||ADT^A01^ADT_A01|${controlId}|P|2.5.1`,
    'EVN|A01|20240101120000',
    `PID|1||${controlId}^^^GH^MR||DOE^JANE||19610615|F`,
    'PV1|1|I',
  ].join('\r');
}

/** MSA-1 and MSA-2 of an ACK. */
function msa(ack: string): [string, string] {
  const line = ack.split('\r').find((s) => s.startsWith('MSA|')) ?? '';
  const [, code = '', controlId = ''] = line.split('|');
  return [code, controlId];
}

describe.each(ENGINES)('MLLP ingest end to end on %s', (engine) => {
  let app: App;
  let testDb: TestDatabase | undefined;
  let port: number;
  const peers: TestPeer[] = [];
  /** Control ids the server acknowledged with a stored message behind the ACK. */
  const acknowledged = new Set<string>();

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (engine === 'postgres') {
      testDb = await createTestDatabase('postgres');
      databaseUrl = testDb.url;
    }
    const config = testConfig({
      ...(databaseUrl ? { databaseUrl } : { dataDir: 'memory' }),
      auth: 'off',
      mllpIdleTimeout: IDLE_SECONDS,
      mllpMaxMessageBytes: MAX_BYTES,
    });
    app = await createApp(config, pino({ level: 'silent' }));
    const listening = await app.start();
    port = listening.mllp?.port as number;
  });

  afterAll(async () => {
    for (const p of peers) p.socket.destroy();
    await app?.stop();
    await testDb?.close();
  });

  async function peer(): Promise<TestPeer> {
    const p = await connectPeer(port);
    peers.push(p);
    return p;
  }

  it('answers a 200-message simulator feed pipelined over one socket with 200 ACKs in order', async () => {
    const feed = simulateHospital({ patients: 12, days: 3, seed: 7 }).messages.slice(0, 200);
    expect(feed).toHaveLength(200);
    const p = await peer();
    p.socket.write(Buffer.concat(feed.map((m) => wrapFrame(m.text))));
    const replies = await p.waitForReplies(200, 15_000);
    // The simulator sends MSH-15 `AL` (accept acknowledgements), so a durable store is answered `CA`.
    expect(feed.every((m) => m.text.split('\r')[0]?.split('|')[14] === 'AL')).toBe(true);
    expect(replies.map(msa)).toEqual(feed.map((m) => ['CA', m.controlId]));
    feed.forEach((m) => acknowledged.add(m.controlId));
    p.socket.end();
  });

  it('acknowledges node-hl7-client 3.2.0 as an independent peer', async () => {
    const client = new Client({ host: '127.0.0.1' });
    const acks: string[][] = [];
    let gotAck: () => void = () => undefined;
    const acked = new Promise<void>((resolve) => (gotAck = resolve));
    const outbound = client.createConnection({ port, waitAck: true, maxConnectionAttempts: 1 }, async (res) => {
      const m = res.getMessage();
      acks.push([m.get('MSA.1').toString(), m.get('MSA.2').toString()]);
      gotAck();
    });
    try {
      await outbound.sendMessage(new Message({ text: adt('NHC1') }));
      await acked;
      expect(acks).toEqual([['AA', 'NHC1']]);
      acknowledged.add('NHC1');
    } finally {
      await outbound.close();
      client.closeAll();
    }
  });

  it('answers garbage AR with an empty MSA-2, then a valid message on the same connection AA', async () => {
    const p = await peer();
    p.socket.write(Buffer.concat([wrapFrame(Buffer.from([0x00, 0xff, 0x10, 0x41, 0x42])), wrapFrame(adt('AFTERJUNK1'))]));
    const replies = await p.waitForReplies(2);
    expect(replies.map(msa)).toEqual([
      ['AR', ''],
      ['AA', 'AFTERJUNK1'],
    ]);
    expect(replies[0]).toContain('\rERR|||100^Segment sequence error^HL70357|E||||not an HL7 message: no MSH segment\r');
    acknowledged.add('AFTERJUNK1');
    p.socket.end();
  });

  it('closes a silent client after the idle timeout while another connection keeps working', async () => {
    const silent = await peer();
    const busy = await peer();
    const started = Date.now();
    // The busy peer sends every 300 ms across the whole idle window, so its timer keeps resetting.
    for (let i = 0; i < 6; i++) {
      busy.socket.write(wrapFrame(adt(`BUSY${i}`)));
      await busy.waitForReplies(i + 1);
      await sleep(300);
    }
    const { hadError } = await silent.closed;
    expect(hadError).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 100);
    expect(busy.socket.destroyed).toBe(false);
    expect(busy.replies.map(msa)).toEqual(Array.from({ length: 6 }, (_, i) => ['AA', `BUSY${i}`]));
    for (let i = 0; i < 6; i++) acknowledged.add(`BUSY${i}`);
    busy.socket.end();
  });

  it('keeps serving after a client disconnects mid-frame', async () => {
    const quitter = await peer();
    quitter.socket.write(`\x0b${adt('HALF1').slice(0, 40)}`);
    await sleep(50);
    quitter.socket.destroy();
    await quitter.closed;
    const next = await peer();
    next.socket.write(wrapFrame(adt('AFTERHALF1')));
    expect((await next.waitForReplies(1)).map(msa)).toEqual([['AA', 'AFTERHALF1']]);
    acknowledged.add('AFTERHALF1');
    next.socket.end();
    const half = await app.core.database.db.selectFrom('hl7_message').select('id').where('control_id', '=', 'HALF1').execute();
    expect(half).toEqual([]); // never completed, never acknowledged, nothing stored
  });

  it('rejects an oversized frame with AR 104, keeps a rejected record, and answers the next frame', async () => {
    const big = Buffer.alloc(1024 * 1024, 0x58);
    const head = Buffer.from(`${adt('BIG1').split('\r')[0]}\rNTE|1||`);
    head.copy(big);
    const p = await peer();
    p.socket.write(Buffer.concat([wrapFrame(big), wrapFrame(adt('AFTERBIG1'))]));
    const replies = await p.waitForReplies(2, 10_000);
    expect(replies.map(msa)).toEqual([
      ['AR', 'BIG1'],
      ['AA', 'AFTERBIG1'],
    ]);
    expect(replies[0]).toContain(`|104^Value too long^HL70357|E||||message of ${1024 * 1024} bytes exceeds the maximum message size`);
    const row = await app.core.database.db
      .selectFrom('hl7_message')
      .select(['status', 'ack_code', 'size', 'process_state', 'reason'])
      .where('control_id', '=', 'BIG1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'rejected', ack_code: 'AR', size: MAX_BYTES, process_state: 'skipped' });
    expect(row.reason?.[0]?.code).toBe(104);
    acknowledged.add('BIG1');
    acknowledged.add('AFTERBIG1');
    p.socket.end();
  });

  it('holds every acknowledged message exactly once', async () => {
    expect(acknowledged.size).toBe(200 + 1 + 1 + 6 + 1 + 2);
    const rows = await app.core.database.db
      .selectFrom('hl7_message')
      .select(['control_id', 'status', 'raw'])
      .where('duplicate_of', 'is', null)
      .where('control_id', 'in', [...acknowledged])
      .execute();
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.control_id as string, (counts.get(r.control_id as string) ?? 0) + 1);
    expect([...acknowledged].filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect(rows.every((r) => r.raw !== null && r.raw.length > 0)).toBe(true);
    const duplicates = await app.core.database.db.selectFrom('hl7_message').select('id').where('status', '=', 'duplicate').execute();
    expect(duplicates).toEqual([]);
  });
});
