/**
 * npm run bench:fusion — `$aligned-bundle` latency (p50/p99) and throughput with 50 concurrent
 * clients, for patients with 20,000 timeline events over 5 years, on real PostgreSQL; and in the same
 * run the floor: the plain SQL read (by primary key) of exactly the rows each bundle returned.
 * The HTTP server (express + the fusion router) runs IN-PROCESS with the load generator, over
 * loopback with keep-alive: client, server and PostgreSQL share the machine's cores.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { sql } from 'kysely';
import pg from 'pg';
import { createFusionRouter } from '../src/api/fusion/fusion.router.js';
import { outcomeErrorHandler } from '../src/api/outcome-middleware.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { alignedBundleFor } from '../src/fusion/aligned-bundle.service.js';
import { loadSpecRegistry } from '../src/fusion/spec.js';
import { toFhirParameters } from '../src/fusion/to-fhir-parameters.js';
import type { NewTimelineEvent } from '../src/timeline/new-timeline-event.js';
import type { Modality } from '../src/timeline/timeline-event.js';
import { appendTimeline } from '../src/timeline/timeline.repository.js';
import { freshDatabase, machine, percentile } from './bench-support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 10);
const EVENTS = 20_000;
const YEARS_MS = 5 * 365 * 86_400_000;
const END = Date.parse('2026-01-01T00:00:00Z');
const START = END - YEARS_MS;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const CLIENTS = 50;

/** Deterministic PRNG (mulberry32) so every run loads the same timeline. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIX: [Modality, number, string, number][] = [
  ['vitals', 0.5, 'Observation', 3_600_000 * 0.1],
  ['labs', 0.3, 'Observation', 3_600_000 * 4],
  ['medications', 0.08, 'MedicationRequest', 60_000],
  ['notes', 0.05, 'DocumentReference', 3_600_000 * 12],
  ['imaging', 0.04, 'DiagnosticReport', 3_600_000 * 8],
  ['problems', 0.03, 'Condition', 60_000],
];
const CODES: Record<Modality, string[]> = {
  vitals: ['9279-1', '59408-5', '8480-6', '8867-4', '8310-5', '67775-7'],
  labs: ['2160-0', '2823-3', '2951-2', '718-7', '6690-2', '777-3'],
  medications: ['197361', '310965', '860975'],
  notes: ['18842-5', '11506-3'],
  imaging: ['36643-5', '24627-2'],
  problems: ['44054006', '38341003', '195967001'],
};

function patientEvents(p: number): NewTimelineEvent[] {
  const r = rng(p + 1);
  const out: NewTimelineEvent[] = [];
  for (let i = 0; i < EVENTS; i++) {
    let x = r();
    const [modality, , resourceType, lag] = MIX.find(([, share]) => (x -= share) < 0) ?? (MIX[0] as (typeof MIX)[number]);
    const clinical = START + r() * YEARS_MS;
    const available = clinical + r() * lag;
    const code = CODES[modality][Math.floor(r() * CODES[modality].length)] as string;
    const base: NewTimelineEvent = {
      patientRecord: `bench-${p}`,
      modality,
      resourceType,
      resourceId: `bench-${p}-${i}`,
      versionId: '1',
      factKey: '',
      code: { system: modality === 'medications' ? 'http://www.nlm.nih.gov/research/umls/rxnorm' : 'http://loinc.org', code },
      ...(modality === 'labs' || modality === 'vitals' ? { value: Math.round(r() * 2000) / 10, unit: '1' } : {}),
      clinicalStart: new Date(clinical).toISOString(),
      receivedAt: new Date(available).toISOString(),
      availableAt: new Date(available).toISOString(),
      availableRule: 'live',
      status: modality === 'problems' ? 'active' : 'final',
      source: { kind: 'hl7v2', messageId: `M${p}-${i}`, system: 'BENCH' },
      resource: { resourceType: 'Observation', id: `bench-${p}-${i}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] } },
    };
    out.push(base);
    // 5 % are corrected a day later: a second version of the same fact.
    if (r() < 0.05) out.push({ ...base, versionId: '2', status: 'corrected', availableAt: new Date(available + 86_400_000).toISOString(), receivedAt: new Date(available + 86_400_000).toISOString() });
  }
  return out;
}

function get(agent: http.Agent, port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** n calls spread over `clients` concurrent workers; latency per call in ms and calls per second. */
async function load(n: number, clients: number, call: (i: number) => Promise<void>): Promise<{ p50: number; p99: number; rate: number }> {
  const times: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const i = next++;
        const t = process.hrtime.bigint();
        await call(i);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  return { p50: percentile(times, 50), p99: percentile(times, 99), rate: n / secs };
}

async function main(): Promise<void> {
  const target = await freshDatabase(SERVER, 'sinew_bench_fusion');
  const database = await openDatabase({ databaseUrl: target.url, dataDir: 'memory', poolSize: 20 });
  const rows: string[] = [];
  try {
    await migrateToLatest(database.db);
    const loadStart = Date.now();
    for (let p = 0; p < PATIENTS; p++) {
      const events = patientEvents(p);
      for (let i = 0; i < events.length; i += 2000) await appendTimeline(database.db, events.slice(i, i + 2000));
    }
    await sql`ANALYZE timeline_event`.execute(database.db);
    const count = await database.db.selectFrom('timeline_event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const loadSecs = (Date.now() - loadStart) / 1000;

    const specs = loadSpecRegistry(path.join(ROOT, 'profiles/fusion'));
    const deps = { db: database.db, specs, now: () => new Date(END), resolvePatientRecords: async (id: string) => [id] };
    const app = express().use('/fhir', createFusionRouter(deps)).use(outcomeErrorHandler(() => undefined));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const r = rng(99);
    const asks = Array.from({ length: REQUESTS }, () => ({ patient: `bench-${Math.floor(r() * PATIENTS)}`, at: new Date(START + 30 * 86_400_000 + r() * (YEARS_MS - 30 * 86_400_000)).toISOString() }));
    // The rows each bundle holds, for the floor: the same rows read by primary key.
    const idsPer = await Promise.all(asks.slice(0, 500).map(async (a) => (await alignedBundleFor(deps, { patientId: a.patient, indexTime: a.at })).items.map((e) => e.id)));
    const meanItems = idsPer.reduce((s, x) => s + x.length, 0) / idsPer.length;

    const call = (i: number) => async () => {
      const a = asks[i % asks.length] as (typeof asks)[number];
      const res = await get(agent, port, `/fhir/Patient/${a.patient}/$aligned-bundle?index-time=${a.at}`);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    };
    await load(200, 10, (i) => call(i)()); // warm-up
    // The service alone (as-of query + builder + FHIR JSON), without HTTP: where the time goes.
    const service = await load(1000, 1, async (i) => {
      const a = asks[i % asks.length] as (typeof asks)[number];
      JSON.stringify(toFhirParameters(await alignedBundleFor(deps, { patientId: a.patient, indexTime: a.at })));
    });
    const one = await load(1000, 1, (i) => call(i)());
    const fifty = await load(REQUESTS, CLIENTS, (i) => call(i)());

    const pool = new pg.Pool({ connectionString: target.url, max: 20 });
    const floorCall = async (i: number) => {
      await pool.query('SELECT * FROM timeline_event WHERE id = ANY($1::bigint[])', [idsPer[i % idsPer.length]]);
    };
    await load(200, 10, floorCall);
    const floorOne = await load(1000, 1, floorCall);
    const floorFifty = await load(REQUESTS, CLIENTS, floorCall);
    await pool.end();
    server.close();
    agent.destroy();

    const f = (x: number) => x.toFixed(2);
    rows.push(`| timeline | ${PATIENTS} patients × ${EVENTS.toLocaleString('en')} facts over 5 years (+5 % corrections) = ${Number(count.n).toLocaleString('en')} rows, loaded in ${loadSecs.toFixed(1)} s via appendTimeline |`);
    rows.push(`| bundle size | ${meanItems.toFixed(1)} items on average (default spec, all six modalities) |`);
    rows.push(`| service call in-process (query, build, FHIR JSON; no HTTP), 1 client | p50 ${f(service.p50)} ms, p99 ${f(service.p99)} ms |`);
    rows.push(`| $aligned-bundle over HTTP, 1 client | p50 ${f(one.p50)} ms, p99 ${f(one.p99)} ms, ${Math.round(one.rate)} req/s |`);
    rows.push(`| $aligned-bundle over HTTP, ${CLIENTS} clients | p50 ${f(fifty.p50)} ms, p99 ${f(fifty.p99)} ms, ${Math.round(fifty.rate)} req/s (${REQUESTS} requests) |`);
    rows.push(`| floor: plain SQL read of the same rows by id, 1 client | p50 ${f(floorOne.p50)} ms, p99 ${f(floorOne.p99)} ms, ${Math.round(floorOne.rate)} q/s |`);
    rows.push(`| floor: plain SQL read of the same rows by id, ${CLIENTS} clients | p50 ${f(floorFifty.p50)} ms, p99 ${f(floorFifty.p99)} ms, ${Math.round(floorFifty.rate)} q/s |`);
    rows.push(`| ratio to floor (1 client p50 / 50 clients throughput) | ${(one.p50 / floorOne.p50).toFixed(1)}× / ${(floorFifty.rate / fifty.rate).toFixed(1)}× |`);
  } finally {
    await database.close();
    await target.drop();
  }
  process.stdout.write(`\nbench:fusion on ${await machine(SERVER)} (HTTP server in-process with the load generator)\n\n| measure | result |\n|---|---|\n${rows.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench:fusion failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
