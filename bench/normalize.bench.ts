/**
 * npm run bench:normalize — messages per second through parse, mapping, validation and storage on
 * real PostgreSQL (the worker draining what the intake stored), and in the same run the parse-only
 * ceiling and the convert-only rate (parse + map + validate, no database) of the same messages.
 * Two feeds from the simulator: ADT + ORU (the goal's mix) and every message type it produces.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; each
 * database run gets a fresh database, dropped afterwards. BENCH_PATIENTS / BENCH_DAYS size the feed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '@medplum/fhirtypes';
import { pino } from 'pino';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createValidator } from '../src/fhir/validate.js';
import { loadIdentityDeps } from '../src/identity/identity-deps.js';
import { createClassifier } from '../src/ingest/classify.js';
import { HandlerRegistry } from '../src/ingest/handler-registry.js';
import { createIntake } from '../src/ingest/intake.js';
import { saveMessages } from '../src/ingest/message-store.repository.js';
import { MessageWorker, parseStored } from '../src/ingest/message-worker.js';
import { structureOnlyHandler } from '../src/ingest/structure-handler.js';
import { convertMessage, loadMappings, type LoadedMappings } from '../src/normalize/index.js';
import { hl7v2PipelineHandler } from '../src/pipeline/hl7v2-pipeline.handler.js';
import { createObservers } from '../src/pipeline/observers.js';
import type { ResourceObserver } from '../src/pipeline/resource-observer.js';
import { simulateHospital } from '../src/simulate/index.js';
import { freshDatabase, machine } from './bench-support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 100);
const DAYS = Number(process.env.BENCH_DAYS ?? 2);
const CONFIG = { tz: 'UTC', facilityTz: {} as Record<string, string> };
const silent = pino({ level: 'silent' });

interface Feed {
  name: string;
  messages: Buffer[];
}

async function main(): Promise<void> {
  const all = simulateHospital({ patients: PATIENTS, days: DAYS, seed: 1 }).messages;
  const feeds: Feed[] = [
    { name: 'ADT + ORU', messages: all.filter((m) => /^(ADT|ORU)\^/.test(m.type)).map((m) => Buffer.from(m.text, 'utf8')) },
    { name: 'full simulator mix', messages: all.map((m) => Buffer.from(m.text, 'utf8')) },
  ];
  const mappings = loadMappings(path.join(ROOT, 'mappings', 'hl7v2'));
  const lines: string[] = [];
  for (const feed of feeds) {
    const parse = parseOnly(feed.messages);
    const convert = convertOnly(feed.messages, mappings);
    const full = await pipeline(feed.messages, mappings, true);
    const bare = await pipeline(feed.messages, mappings, false);
    const row = (what: string, rate: number, extra = '') =>
      lines.push(`| ${feed.name} | ${what} | ${Math.round(rate).toLocaleString('en')} msg/s | ${((100 * rate) / parse).toFixed(1)} % | ${extra} |`);
    row('parse-only ceiling (decode, split, parse; one core)', parse);
    row('convert-only (parse, map, validate; no database)', convert);
    row('full pipeline (store, identity, timeline)', full.rate, `${full.count} messages, ${full.failed} failed`);
    row('full pipeline without observers (store only)', bare.rate, `${bare.count} messages, ${bare.failed} failed`);
  }
  process.stdout.write(
    [
      `machine: ${await machine(SERVER)}`,
      `feed: simulator, ${PATIENTS} patients × ${DAYS} days, seed 1 (${feeds.map((f) => `${f.name}: ${f.messages.length}`).join(', ')} messages)`,
      '',
      '| feed | stage | rate | of ceiling | notes |',
      '|---|---|---|---|---|',
      ...lines,
      '',
    ].join('\n'),
  );
}

/** Best of three passes after a warm-up, like bench:ingest's ceiling. */
function bestRate(count: number, pass: () => void, rounds = 3): number {
  const run = () => {
    const t = process.hrtime.bigint();
    pass();
    return count / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  run();
  return Math.max(...Array.from({ length: rounds }, run));
}

function parseOnly(messages: Buffer[]): number {
  return bestRate(messages.length, () => {
    for (const raw of messages) parseStored({ raw, charset: 'utf8' });
  });
}

/** What the handler does before it touches the database: convert, then validate every resource. */
function convertOnly(messages: Buffer[], mappings: LoadedMappings): number {
  const validator = createValidator();
  return bestRate(messages.length, () => {
    messages.forEach((raw, i) => {
      const { bundle } = convertMessage(parseStored({ raw, charset: 'utf8' }), {
        defaultZone: CONFIG.tz,
        zoneFor: () => undefined,
        mappings,
        messageId: String(i + 1),
      });
      for (const e of bundle.entry ?? []) if (e.resource) validator.issues(e.resource as Resource);
    });
  }, 2);
}

/**
 * Stores the feed through the real intake (group commits, as MLLP would), then times one worker
 * draining it: claim, parse, map, validate, store, observers, `done` mark.
 */
async function pipeline(messages: Buffer[], mappings: LoadedMappings, withObservers: boolean): Promise<{ rate: number; count: number; failed: number }> {
  const target = await freshDatabase(SERVER, 'sinew_bench_normalize');
  const database = await openDatabase({ databaseUrl: target.url, dataDir: 'memory' });
  try {
    await migrateToLatest(database.db);
    const observers: readonly ResourceObserver[] = withObservers ? createObservers({ identity: loadIdentityDeps(), config: CONFIG }) : [];
    const handlers = new HandlerRegistry()
      .register(structureOnlyHandler())
      .register(hl7v2PipelineHandler({ config: CONFIG, mappings, structures: [...mappings.messages.keys()], observers }));
    const intake = createIntake({ classifier: createClassifier((s) => handlers.supports(s)), save: (m) => saveMessages(database.db, m) });
    for (let i = 0; i < messages.length; i += 500) {
      await Promise.all(messages.slice(i, i + 500).map((bytes) => intake.receive({ bytes, transport: 'mllp', receivedAt: new Date() })));
    }
    const worker = new MessageWorker(database.db, handlers, silent);
    let failed = 0;
    worker.on('processed', (r: { ok: boolean }) => (failed += r.ok ? 0 : 1));
    const t = process.hrtime.bigint();
    const count = await worker.drain();
    const rate = count / (Number(process.hrtime.bigint() - t) / 1e9);
    if (count !== messages.length) throw new Error(`the worker processed ${count} of ${messages.length} messages`);
    return { rate, count, failed };
  } finally {
    await database.close();
    await target.drop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
