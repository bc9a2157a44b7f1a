import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Bundle, Provenance, RiskAssessment } from '@medplum/fhirtypes';
import { Client, Message, type InboundResponse } from 'node-hl7-client';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadOrCreateSigningKey, signingKeyStoreFor } from '../../src/auth/signing-key.js';
import { mintToken } from '../../src/auth/tokens.js';
import { testConfig } from '../../src/config/load-config.js';
import { EXT } from '../../src/fusion/fhir-urls.js';
import { authoritySystem } from '../../src/normalize/transforms/cx-to-identifier.js';
import { simulateHospital, type SimMessage } from '../../src/simulate/index.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(300_000);

const VITALS = ['8867-4', '9279-1', '59408-5', '8480-6', '8310-5'];
const CREATININE = '2160-0';

/**
 * One simulated person's admission, vitals and creatinine results from the last two days, in send
 * order, none sent after `nowMs` (the server's own clock decides availability for live MLLP).
 */
function patientFeed(nowMs: number): { messages: SimMessage[]; system: string; value: string } {
  const start = new Date(Math.floor((nowMs - 2 * 86_400_000) / 60_000) * 60_000).toISOString();
  const sim = simulateHospital({ patients: 3, days: 2, seed: 11, start });
  for (const record of sim.truth.records) {
    const person = record.personId;
    const mine = sim.messages.filter((m) => m.personId === person && Date.parse(m.sentAt) < nowMs);
    const adt = mine.filter((m) => m.type.startsWith('ADT^A0'));
    const vitals = mine.filter((m) => m.type.startsWith('ORU') && VITALS.some((c) => m.text.includes(`|${c}^`)));
    const creatinine = mine.filter((m) => m.type.startsWith('ORU') && m.text.includes(`|${CREATININE}^`));
    if (adt.length && vitals.length && creatinine.length >= 2 && ['NORTH', 'SOUTH'].includes(record.system)) {
      const messages = [...new Set([...adt, ...vitals, ...creatinine])].sort((a, b) => a.seq - b.seq);
      return { messages, system: authoritySystem(record.system, '', '') as string, value: record.value };
    }
  }
  throw new Error('seed 11 has no person with an admission, vitals and two creatinine results');
}

/** Sends each message over MLLP with node-hl7-client, waiting for its ACK; returns MSA-1 per message. */
async function sendOverMllp(port: number, messages: readonly SimMessage[]): Promise<string[]> {
  const codes: string[] = [];
  let waiting: ((res: InboundResponse) => void) | undefined;
  const conn = new Client({ host: '127.0.0.1' }).createConnection({ port, waitAck: true, maxConnectionAttempts: 1 }, (res) => {
    waiting?.(res);
  });
  await new Promise<void>((resolve) => conn.once('connect', () => resolve()));
  try {
    for (const m of messages) {
      const reply = new Promise<InboundResponse>((resolve) => (waiting = resolve));
      await conn.sendMessage(new Message({ text: m.text }));
      codes.push((await reply).getMessage().get('MSA.1').toString());
    }
  } finally {
    await conn.close();
  }
  return codes;
}

describe.each(ENGINES)('HL7v2 over MLLP to a RiskAssessment on %s', (engine) => {
  let app: App;
  let testDb: TestDatabase | undefined;
  let http: string;
  let mllpPort: number;
  let auth: { authorization: string };

  beforeAll(async () => {
    if (engine === 'postgres') testDb = await createTestDatabase('postgres');
    const config = testConfig({ ...(testDb ? { databaseUrl: testDb.url as string } : { dataDir: 'memory' }), auth: 'on' });
    app = await createApp(config, pino({ level: 'silent' }));
    const listening = await app.start();
    http = `http://127.0.0.1:${listening.http.port}`;
    mllpPort = listening.mllp?.port as number;
    const key = await loadOrCreateSigningKey(signingKeyStoreFor(config, app.core.database.db));
    auth = { authorization: `Bearer ${await mintToken(key, { scope: 'system/*.rs', ttlSeconds: 600 })}` };
  });

  afterAll(async () => {
    await app?.stop();
    await testDb?.close();
  });

  async function waitProcessed(): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const pending = await app.core.database.db.selectFrom('hl7_message').select('id').where('process_state', '=', 'pending').limit(1).execute();
      if (pending.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('messages still pending after 120 s');
  }

  it('ADT, vitals and creatinine sent over MLLP become a preliminary RiskAssessment with attribution and Provenance', async () => {
    const feed = patientFeed(Date.now());
    const acks = await sendOverMllp(mllpPort, feed.messages);
    // Commit ACKs: the simulated senders ask for accept acknowledgements (MSH-15 AL), hence CA.
    expect(acks).toHaveLength(feed.messages.length);
    for (const code of acks) expect(['AA', 'CA']).toContain(code);
    await waitProcessed();
    const failed = await app.core.database.db.selectFrom('hl7_message').select(['id', 'reason']).where('status', '=', 'error').execute();
    expect(failed).toEqual([]);

    const search = await fetch(`${http}/fhir/Patient?identifier=${encodeURIComponent(`${feed.system}|${feed.value}`)}`, { headers: auth });
    expect(search.status).toBe(200);
    const patientId = ((await search.json()) as Bundle).entry?.[0]?.resource?.id as string;
    expect(patientId).toMatch(/^[0-9a-f]{32}$/);

    const indexTime = new Date().toISOString();
    const url = `${http}/fhir/Patient/${patientId}/$assess?model=stacker-default&index-time=${indexTime}`;
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    const body = (await res.json()) as Bundle;
    const ra = body.entry?.find((e) => e.resource?.resourceType === 'RiskAssessment')?.resource as RiskAssessment;
    const prov = body.entry?.find((e) => e.resource?.resourceType === 'Provenance')?.resource as Provenance;
    expect(ra.status).toBe('preliminary');
    expect(ra.subject?.reference).toBe(`Patient/${patientId}`);
    expect(ra.occurrenceDateTime).toBe(indexTime);
    expect(ra.prediction?.[0]?.probabilityDecimal).toBeGreaterThan(0);
    expect(ra.prediction?.[0]?.probabilityDecimal).toBeLessThan(1);
    // Attribution per modality: the stacker's two inputs, labs present (two creatinine values in 72 h).
    const attribution = (ra.extension ?? [])
      .filter((e) => e.url === EXT.modalityAttribution)
      .map((e) => Object.fromEntries((e.extension ?? []).map((x) => [x.url, x.valueCode ?? x.valueDecimal ?? x.valueBoolean])));
    expect(attribution.map((a) => a.modality).sort()).toEqual(['labs', 'vitals']);
    expect(attribution.find((a) => a.modality === 'labs')?.present).toBe(true);
    expect(ra.basis?.some((b) => /^Observation\/[^/]+\/_history\/\d+$/.test(b.reference ?? ''))).toBe(true);
    expect(ra.note?.[0]?.text).toContain('not a diagnosis');
    expect(prov.target).toEqual([{ reference: `RiskAssessment/${ra.id}` }]);
    expect(prov.agent?.[0]?.who?.reference).toBe('#model');
    expect(prov.entity?.[0]?.what?.identifier?.value).toMatch(/^[0-9a-f]{64}$/);
  });
});
