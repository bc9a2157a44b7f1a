import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { pino } from 'pino';
import { testConfig } from '../config/load-config.js';
import { createClassifier } from '../ingest/classify.js';
import { HandlerRegistry } from '../ingest/handler-registry.js';
import { createIntake, type Intake } from '../ingest/intake.js';
import { saveMessages } from '../ingest/message-store.repository.js';
import { MessageWorker } from '../ingest/message-worker.js';
import { structureOnlyHandler } from '../ingest/structure-handler.js';
import { loadMappings } from '../normalize/index.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { hl7v2PipelineHandler } from './hl7v2-pipeline.handler.js';
import { createObservers } from './observers.js';
import { encounterAsOf, encounterById, encounterEvents, locationAt } from '../timeline/encounter.repository.js';
import { simulateHospital } from '../simulate/index.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';

/** 2024-03-10 at `hh:mm` in HL7 DTM (UTC: the test config's default zone). */
const dtm = (hhmm: string, day = '10'): string => `202403${day}${hhmm.replace(':', '')}00`;
const iso = (hhmm: string, day = '10'): string => `2024-03-${day}T${hhmm}:00.000Z`;

interface Adt {
  trigger: string;
  structure: string;
  mrn: string;
  visit: string;
  recorded: string;
  occurred?: string;
  cls?: string;
  location?: string;
  prior?: string;
  admit?: string;
  discharge?: string;
}

let control = 0;
function adt(a: Adt): string {
  const pv1 = ['PV1', '1', a.cls ?? 'I', a.location ?? '', '', '', a.prior ?? ''];
  while (pv1.length < 46) pv1.push('');
  pv1[19] = `${a.visit}^^^NORTH^VN`;
  pv1[44] = a.admit ? dtm(a.admit) : '';
  pv1[45] = a.discharge ? dtm(a.discharge) : '';
  return [
    `MSH|^~\\&|ADT|NORTH|SINEW|SINEW|${dtm(a.recorded)}||ADT^${a.trigger}^${a.structure}|E${++control}|P|2.5.1`,
    `EVN|${a.trigger}|${dtm(a.recorded)}||||${a.occurred ? dtm(a.occurred) : ''}`,
    `PID|1||${a.mrn}^^^NORTH^MR||DOE^JANE||19800101|F`,
    pv1.join('|'),
  ].join('\r');
}

/** A lab result without a visit number (no PV1), drawn at `drawn`. */
function oru(mrn: string, drawn: string, value: number): string {
  return [
    `MSH|^~\\&|LIS|NORTH|SINEW|SINEW|${dtm(drawn)}||ORU^R01^ORU_R01|R${++control}|P|2.5.1`,
    `PID|1||${mrn}^^^NORTH^MR||DOE^JANE||19800101|F`,
    `OBR|1|O${control}^LIS|F${control}^LIS|2160-0^Creatinine^LN|||${dtm(drawn)}`,
    `OBX|1|NM|2160-0^Creatinine^LN||${value}|mg/dL|||||F|||${dtm(drawn)}`,
  ].join('\r');
}

/** The processing createCore (src/app.ts) assembles, on a test database. */
function pipeline(t: TestDatabase, tz = 'UTC'): { intake: Intake; worker: MessageWorker } {
  const config = testConfig({ dataDir: 'memory', tz });
  const mappings = loadMappings(path.join(REPO_ROOT, 'mappings', 'hl7v2'));
  const handlers = new HandlerRegistry()
    .register(structureOnlyHandler())
    .register(hl7v2PipelineHandler({ config, mappings, structures: [...mappings.messages.keys()], observers: createObservers({ config }) }));
  const worker = new MessageWorker(t.db, handlers, pino({ level: 'silent' }));
  const intake = createIntake({ classifier: createClassifier((x) => handlers.supports(x)), save: (m) => saveMessages(t.db, m) });
  return { intake, worker };
}

const CLOCK = { A01: 'A01', A02: 'A02', A03: 'A03' } as const;

describe.each(ENGINES)('encounters from ADT through the worker on %s', (engine) => {
  let t: TestDatabase;
  let core: { database: TestDatabase; intake: Intake; worker: MessageWorker };

  // A fresh PGlite template (rebuilt whenever any migration changes) can take over a minute on a busy host.
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    core = { database: t, ...pipeline(t) };
  }, 180_000);
  afterAll(async () => {
    await core?.worker.stop();
    await t?.close();
  });

  /** Receive live at `receivedAt` (default: the message's own time) and process everything pending. */
  async function send(text: string, receivedAt: string): Promise<void> {
    const reply = await core.intake.receive({ bytes: Buffer.from(text), transport: 'http', receivedAt: new Date(receivedAt) });
    expect(reply.ackBytes.toString()).toContain('MSA|AA|');
    await core.worker.drain();
    const failed = await core.database.db.selectFrom('hl7_message').select(['control_id', 'reason']).where('process_state', '=', 'failed').execute();
    expect(failed).toEqual([]);
  }

  async function encounterOf(visit: string): Promise<string> {
    const rows = await core.database.db.selectFrom('fhir_resource_current').select(['id', 'content']).where('resource_type', '=', 'Encounter').execute();
    const row = rows.find((r) => JSON.stringify(r.content).includes(`"${visit}"`));
    if (!row) throw new Error(`no Encounter with visit number ${visit}`);
    return row.id;
  }

  it('admit → transfer → transfer → discharge gives the location history; a result without a visit number lands in the open encounter', async () => {
    await send(adt({ trigger: CLOCK.A01, structure: 'ADT_A01', mrn: 'M1', visit: 'V1', recorded: '08:05', occurred: '08:00', location: 'W1^1^A', admit: '08:00' }), iso('08:05'));
    await send(adt({ trigger: CLOCK.A02, structure: 'ADT_A02', mrn: 'M1', visit: 'V1', recorded: '12:05', occurred: '12:00', location: 'W2^2^A', prior: 'W1^1^A', admit: '08:00' }), iso('12:05'));
    await send(oru('M1', '13:00', 1.4), iso('14:00'));
    await send(adt({ trigger: CLOCK.A02, structure: 'ADT_A02', mrn: 'M1', visit: 'V1', recorded: '15:05', occurred: '15:00', location: 'W3^3^A', prior: 'W2^2^A', admit: '08:00' }), iso('15:05'));
    await send(adt({ trigger: CLOCK.A03, structure: 'ADT_A03', mrn: 'M1', visit: 'V1', recorded: '18:05', occurred: '18:00', location: 'W3^3^A', admit: '08:00', discharge: '18:00' }), iso('18:05'));

    const id = await encounterOf('V1');
    const state = await encounterById(core.database.db, id);
    expect(state).toMatchObject({ status: 'finished', patientClass: 'I', periodStart: iso('08:00'), periodEnd: iso('18:00') });
    expect(state?.locations.map((s) => [s.location.replace(/^NORTH /, ''), s.from, s.to])).toEqual([
      ['W1 1 A', iso('08:00'), iso('12:00')],
      ['W2 2 A', iso('12:00'), iso('15:00')],
      ['W3 3 A', iso('15:00'), iso('18:00')],
    ]);
    const log = await encounterEvents(core.database.db, id);
    expect(log.map((e) => [e.trigger, e.accepted, new Date(e.known_at as Date).toISOString()])).toEqual([
      ['A01', true, iso('08:05')],
      ['A02', true, iso('12:05')],
      ['A02', true, iso('15:05')],
      ['A03', true, iso('18:05')],
    ]);
    const lab = await core.database.db.selectFrom('timeline_event').select(['encounter_id', 'patient_record']).where('code', '=', '2160-0').executeTakeFirstOrThrow();
    expect(lab.encounter_id).toBe(id);
    // Bitemporal: at 13:00 as known at 16:00 the visit was open (in W2); as known at 07:00 nothing was.
    const open = await encounterAsOf(core.database.db, [lab.patient_record], iso('13:00'), iso('16:00'));
    expect(open?.encounterId).toBe(id);
    expect(locationAt(open!, iso('13:00'))).toMatch(/W2/);
    expect(await encounterAsOf(core.database.db, [lab.patient_record], iso('13:00'), iso('07:00'))).toBeUndefined();
    expect(await encounterAsOf(core.database.db, [lab.patient_record], iso('19:00'), iso('20:00'))).toBeUndefined();
  });

  it('a transfer that arrives after the discharge slots in where it happened, and only from when it was known', async () => {
    await send(adt({ trigger: 'A01', structure: 'ADT_A01', mrn: 'M2', visit: 'V2', recorded: '08:05', location: 'W1^1^A', admit: '08:00' }), iso('08:05'));
    await send(adt({ trigger: 'A03', structure: 'ADT_A03', mrn: 'M2', visit: 'V2', recorded: '18:05', location: 'W1^1^A', admit: '08:00', discharge: '18:00' }), iso('18:05'));
    await send(adt({ trigger: 'A02', structure: 'ADT_A02', mrn: 'M2', visit: 'V2', recorded: '12:05', occurred: '12:00', location: 'W2^2^A', prior: 'W1^1^A', admit: '08:00' }), iso('20:00'));
    const id = await encounterOf('V2');
    const now = await encounterById(core.database.db, id);
    expect(now?.status).toBe('finished');
    expect(now?.locations.map((s) => [s.location.replace(/^NORTH /, ''), s.to])).toEqual([['W1 1 A', iso('12:00')], ['W2 2 A', iso('18:00')]]);
    const record = now?.patientRecord as string;
    const before = await encounterAsOf(core.database.db, [record], iso('13:00'), iso('19:00'));
    const after = await encounterAsOf(core.database.db, [record], iso('13:00'), iso('21:00'));
    expect(locationAt(before!, iso('13:00'))).toMatch(/W1/);
    expect(locationAt(after!, iso('13:00'))).toMatch(/W2/);
  });

  it('cancel admit (A11) closes the visit to placement; cancel discharge (A13) reopens it; register (A04) is outpatient', async () => {
    await send(adt({ trigger: 'A01', structure: 'ADT_A01', mrn: 'M3', visit: 'V3', recorded: '08:05', location: 'W1^1^A', admit: '08:00' }), iso('08:05'));
    await send(adt({ trigger: 'A11', structure: 'ADT_A09', mrn: 'M3', visit: 'V3', recorded: '09:05', occurred: '09:00', location: 'W1^1^A', admit: '08:00' }), iso('09:05'));
    const cancelled = await encounterById(core.database.db, await encounterOf('V3'));
    expect(cancelled?.status).toBe('cancelled');
    expect(await encounterAsOf(core.database.db, [cancelled!.patientRecord], iso('08:30'), iso('10:00'))).toBeUndefined();
    expect((await encounterAsOf(core.database.db, [cancelled!.patientRecord], iso('08:30'), iso('08:30')))?.encounterId).toBe(cancelled?.encounterId);

    await send(adt({ trigger: 'A04', structure: 'ADT_A01', mrn: 'M4', visit: 'V4', recorded: '08:05', cls: 'O', location: 'CLINIC^1^A', admit: '08:00' }), iso('08:05'));
    await send(adt({ trigger: 'A03', structure: 'ADT_A03', mrn: 'M4', visit: 'V4', recorded: '10:05', cls: 'O', location: 'CLINIC^1^A', admit: '08:00', discharge: '10:00' }), iso('10:05'));
    await send(adt({ trigger: 'A13', structure: 'ADT_A01', mrn: 'M4', visit: 'V4', recorded: '11:05', occurred: '11:00', cls: 'O', location: 'CLINIC^1^A', admit: '08:00', discharge: '10:00' }), iso('11:05'));
    const reopened = await encounterById(core.database.db, await encounterOf('V4'));
    expect(reopened).toMatchObject({ status: 'in-progress', patientClass: 'O' });
    expect(reopened?.periodEnd).toBeUndefined();
    expect((await encounterAsOf(core.database.db, [reopened!.patientRecord], iso('12:00'), iso('12:00')))?.encounterId).toBe(reopened?.encounterId);
    expect(await encounterAsOf(core.database.db, [reopened!.patientRecord], iso('12:00'), iso('10:30'))).toBeUndefined();
  });

  it('a replayed message is not counted twice', async () => {
    const id = await encounterOf('V1');
    const admit = (await encounterEvents(core.database.db, id)).find((e) => e.trigger === 'A01');
    await core.database.db.updateTable('hl7_message').set({ process_state: 'pending' }).where('id', '=', admit?.message_id as string).execute();
    expect(await core.worker.drain()).toBe(1);
    expect((await encounterEvents(core.database.db, id)).filter((e) => e.trigger === 'A01')).toHaveLength(1);
  });
});

describe.each(ENGINES)('encounters of a simulated hospital feed on %s', (engine) => {
  it('every simulated visit ends in the state, period and stays the simulator meant', async () => {
    const t = await createTestDatabase(engine);
    // The simulator's facilities all sit in America/New_York (src/simulate/time.ts).
    const { intake, worker } = pipeline(t, 'America/New_York');
    try {
      const { messages, truth } = simulateHospital({ patients: 6, days: 2, seed: 11 });
      for (const m of messages) await intake.receive({ bytes: Buffer.from(m.text), transport: 'http', receivedAt: new Date(m.sentAt) });
      await worker.drain();
      // Every message of every type still processes with the encounter observer in the chain.
      expect(await t.db.selectFrom('hl7_message').select(['message_type', 'reason']).where('process_state', '=', 'failed').execute()).toEqual([]);
      const rows = await t.db.selectFrom('fhir_resource_current').select(['id', 'content']).where('resource_type', '=', 'Encounter').execute();
      const idOf = (visit: string) => rows.find((r) => (r.content as { identifier?: { value?: string }[] } | null)?.identifier?.some((i) => i.value === visit))?.id;
      expect(truth.encounters.length).toBeGreaterThan(3);
      for (const e of truth.encounters) {
        const id = idOf(e.visitNumber);
        expect(id).toBeDefined();
        const state = await encounterById(t.db, id as string);
        const expected = e.cancelled ? 'cancelled' : e.end ? 'finished' : 'in-progress';
        expect([e.visitNumber, state?.status, state?.periodStart, state?.periodEnd]).toEqual([e.visitNumber, expected, new Date(e.start).toISOString(), e.end && !e.cancelled ? new Date(e.end).toISOString() : undefined]);
        expect(state?.patientClass).toBe(e.patientClass);
        expect(state?.locations).toHaveLength(e.locations.length);
        const rejected = (await encounterEvents(t.db, id as string)).filter((x) => !x.accepted);
        expect(rejected.map((x) => [x.trigger, x.problem])).toEqual([]);
      }
    } finally {
      await worker.stop();
      await t.close();
    }
  }, 240_000);
});
