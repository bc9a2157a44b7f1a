import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Encounter, Observation, Patient, Provenance } from '@medplum/fhirtypes';
import { Client as FhirClient } from 'fhir-kit-client';
import { Client as Hl7Client, Message } from 'node-hl7-client';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadOrCreateSigningKey, signingKeyStoreFor } from '../../src/auth/signing-key.js';
import { mintToken } from '../../src/auth/tokens.js';
import { testConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config.schema.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** One HL7 segment from its 1-based fields, so field positions read like the standard (PV1-19). */
function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

const MRN = 'E2E-1001';
const VISIT = 'V-E2E-77';

const ADMIT = [
  'MSH|^~\\&|EPIC|NORTH|SINEW|SINEW|20260105101500||ADT^A01^ADT_A01|E2EADT1|P|2.5.1',
  'EVN|A01|20260105101500',
  segment('PID', { 1: '1', 3: `${MRN}^^^NORTH^MR`, 5: 'HOLLOWAY^IRIS^M', 7: '19720314', 8: 'F', 11: '12 Elm St^^Springfield^IL^62701' }),
  segment('PV1', { 1: '1', 2: 'I', 3: '4W^401^1^NORTH', 7: '1234^WELBY^MARCUS^^^DR', 10: 'MED', 19: `${VISIT}^^^NORTH^VN`, 44: '20260105101000' }),
].join('\r');

const RESULT = [
  'MSH|^~\\&|LAB|NORTH|SINEW|SINEW|20260105143000||ORU^R01^ORU_R01|E2EORU1|P|2.5.1',
  segment('PID', { 1: '1', 3: `${MRN}^^^NORTH^MR`, 5: 'HOLLOWAY^IRIS^M', 7: '19720314', 8: 'F' }),
  segment('PV1', { 1: '1', 2: 'I', 3: '4W^401^1^NORTH', 19: `${VISIT}^^^NORTH^VN` }),
  segment('OBR', { 1: '1', 2: 'ORD-55^EPIC', 3: 'FIL-55^LAB', 4: '24323-8^Comprehensive metabolic panel^LN', 7: '20260105140000', 22: '20260105142900', 25: 'F' }),
  segment('OBX', { 1: '1', 2: 'NM', 3: '2160-0^Creatinine [Mass/volume] in Serum or Plasma^LN', 5: '1.4', 6: 'mg/dL^mg/dL^UCUM', 7: '0.6-1.2', 8: 'H', 11: 'F', 14: '20260105140000' }),
  segment('OBX', { 1: '2', 2: 'NM', 3: '2823-3^Potassium [Moles/volume] in Serum or Plasma^LN', 5: '4.1', 6: 'mmol/L^mmol/L^UCUM', 7: '3.5-5.1', 8: 'N', 11: 'F', 14: '20260105140000' }),
].join('\r');

/**
 * The whole path a hospital uses: an interface engine sends ADT^A01 and ORU^R01 over MLLP
 * (node-hl7-client as the independent sender), Sinew stores, acknowledges and processes them, and a
 * SMART app reads the result with fhir-kit-client and a bearer token (auth on).
 */
describe.each(ENGINES)('HL7v2 over MLLP to a FHIR client on %s', (engine) => {
  let app: App;
  let config: Config;
  let testDb: TestDatabase | undefined;
  let fhirBase: string;
  let fhir: FhirClient;
  /** Stored message ids, from the ACKs' MSH-10 (`SINEW<id>`), by the control id sent. */
  const storedId = new Map<string, string>();

  beforeAll(async () => {
    if (engine === 'postgres') testDb = await createTestDatabase('postgres');
    config = testConfig({ ...(testDb?.url ? { databaseUrl: testDb.url } : { dataDir: 'memory' }), auth: 'on' });
    app = await createApp(config, pino({ level: 'silent' }));
    const listening = await app.start();
    fhirBase = `http://${listening.http.host}:${listening.http.port}/fhir`;

    const sender = new Hl7Client({ host: '127.0.0.1' });
    const acks: Message[] = [];
    let wake: () => void = () => undefined;
    const outbound = sender.createConnection({ port: listening.mllp?.port as number, waitAck: true, maxConnectionAttempts: 1 }, async (res) => {
      acks.push(res.getMessage());
      wake();
    });
    try {
      for (const text of [ADMIT, RESULT]) {
        const before = acks.length;
        const acked = new Promise<void>((resolve) => (wake = resolve));
        await outbound.sendMessage(new Message({ text }));
        if (acks.length === before) await acked;
      }
    } finally {
      await outbound.close();
      sender.closeAll();
    }
    for (const ack of acks) {
      expect(ack.get('MSA.1').toString()).toBe('AA');
      storedId.set(ack.get('MSA.2').toString(), ack.get('MSH.10').toString().replace(/^SINEW/, ''));
    }
    expect([...storedId.keys()]).toEqual(['E2EADT1', 'E2EORU1']);
    await waitUntilProcessed([...storedId.values()]);

    // A user-facing SMART app's scopes (SMART v2), signed with the key the server verifies with.
    const key = await loadOrCreateSigningKey(signingKeyStoreFor(config, app.core.database.db));
    const token = await mintToken(key, {
      scope: 'openid fhirUser user/Patient.rs user/Observation.rs user/Encounter.rs user/Provenance.rs',
      ttlSeconds: 300,
      subject: 'e2e-smart-app',
    });
    fhir = new FhirClient({ baseUrl: fhirBase, bearerToken: token });
    // Starting the app loads the FHIR definitions (seconds) and processing is asynchronous: room on a busy CI host.
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await testDb?.close();
  });

  async function waitUntilProcessed(ids: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await app.core.database.db.selectFrom('hl7_message').select(['id', 'process_state', 'reason']).where('id', 'in', ids).execute();
      if (rows.length === ids.length && rows.every((r) => r.process_state !== 'pending')) {
        expect(rows.map((r) => [r.process_state, r.reason])).toEqual(ids.map(() => ['done', null]));
        return;
      }
      if (Date.now() > deadline) throw new Error(`messages not processed in time: ${JSON.stringify(rows)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function patient(): Promise<Patient> {
    const found = (await fhir.search({ resourceType: 'Patient', searchParams: { identifier: `urn:sinew:assigning-authority:NORTH|${MRN}` } })) as unknown as Bundle<Patient>;
    expect(found.entry).toHaveLength(1);
    return found.entry?.[0]?.resource as Patient;
  }

  it('refuses a request without a bearer token', async () => {
    const anonymous = new FhirClient({ baseUrl: fhirBase });
    await expect(anonymous.search({ resourceType: 'Patient', searchParams: { identifier: MRN } })).rejects.toMatchObject({ response: { status: 401 } });
  });

  it('finds the admitted patient by identifier', async () => {
    const p = await patient();
    expect(p.name?.[0]).toMatchObject({ family: 'HOLLOWAY', given: ['IRIS', 'M'] });
    expect(p.birthDate).toBe('1972-03-14');
    expect(p.gender).toBe('female');
    expect(p.meta?.versionId).toBe('1');
  });

  it('finds the result by patient and LOINC code, with its value, unit, range and time', async () => {
    const p = await patient();
    const found = (await fhir.search({ resourceType: 'Observation', searchParams: { patient: p.id as string, code: 'http://loinc.org|2160-0' } })) as unknown as Bundle<Observation>;
    expect(found.entry).toHaveLength(1);
    const obs = found.entry?.[0]?.resource as Observation;
    expect(obs.subject?.reference).toBe(`Patient/${p.id}`);
    expect(obs.status).toBe('final');
    expect(obs.valueQuantity).toMatchObject({ value: 1.4, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' });
    expect(obs.referenceRange?.[0]).toMatchObject({ low: { value: 0.6 }, high: { value: 1.2 } });
    expect(new Date(obs.effectiveDateTime as string).toISOString()).toBe('2026-01-05T14:00:00.000Z');
    // The other code of the same panel is not returned for this code.
    const potassium = (await fhir.search({ resourceType: 'Observation', searchParams: { patient: p.id as string, code: 'http://loinc.org|2823-3' } })) as unknown as Bundle<Observation>;
    expect(potassium.entry?.map((e) => e.resource?.valueQuantity?.value)).toEqual([4.1]);
  });

  it("reads the result's encounter: the admission's, not overwritten by the result's context copy", async () => {
    const p = await patient();
    const found = (await fhir.search({ resourceType: 'Observation', searchParams: { patient: p.id as string, code: 'http://loinc.org|2160-0' } })) as unknown as Bundle<Observation>;
    const ref = found.entry?.[0]?.resource?.encounter?.reference as string;
    expect(ref).toMatch(/^Encounter\/[\w.-]+$/);
    const encounter = (await fhir.read({ resourceType: 'Encounter', id: ref.split('/')[1] as string })) as unknown as Encounter;
    expect(encounter.subject?.reference).toBe(`Patient/${p.id}`);
    expect(encounter.identifier?.map((i) => i.value)).toContain(VISIT);
    expect(encounter.class?.code).toBe('IMP');
    expect(encounter.status).toBe('in-progress');
    // The attending doctor came only with the ADT (PV1-7): the ORU's PV1 must not have replaced it.
    expect(JSON.stringify(encounter.participant ?? [])).toContain('WELBY');
  });

  it('has Provenance pointing from each stored resource back to the stored message it came from', async () => {
    const p = await patient();
    const obs = ((await fhir.search({ resourceType: 'Observation', searchParams: { patient: p.id as string, code: 'http://loinc.org|2160-0' } })) as unknown as Bundle<Observation>).entry?.[0]
      ?.resource as Observation;
    const ofObservation = (await fhir.search({ resourceType: 'Provenance', searchParams: { target: `Observation/${obs.id}` } })) as unknown as Bundle<Provenance>;
    expect(ofObservation.entry).toHaveLength(1);
    const fromResult = ofObservation.entry?.[0]?.resource as Provenance;
    expect(fromResult.entity?.[0]?.what?.identifier).toEqual({ system: 'urn:sinew:message', value: storedId.get('E2EORU1') });
    expect(fromResult.entity?.[0]?.role).toBe('source');

    const ofPatient = (await fhir.search({ resourceType: 'Provenance', searchParams: { target: `Patient/${p.id}` } })) as unknown as Bundle<Provenance>;
    const sources = (ofPatient.entry ?? []).map((e) => e.resource?.entity?.[0]?.what?.identifier?.value).sort();
    expect(sources).toEqual([storedId.get('E2EADT1'), storedId.get('E2EORU1')].sort());
  });
});
