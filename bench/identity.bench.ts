/**
 * npm run bench:identity — the master patient index at scale on real PostgreSQL:
 *   1. bulk-links N synthetic registrations (default 1,000,000; ~10 % noisy second registrations),
 *   2. times single-record matching against that index over ≥ 1,000 probes (half new people, half
 *      noisy duplicates): $match (read-only) and indexSourcePatient (stored, committed),
 *   3. prints in the same run the floors those are made of (a round trip, the blocking SQL alone,
 *      scoring alone in memory; the bulk load's own snapshot / link / write split), and the host.
 *   node dist/bench/identity.bench.js [--records N] [--probes N] [--batch N] [--keep]
 * DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432); the benchmark
 * creates and drops its own database there (--keep leaves it for inspection).
 */
import fs from 'node:fs';
import type { Patient } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { findCandidateSources } from '../src/identity/blocking.sql.js';
import { bulkIndexSourcePatients } from '../src/identity/bulk-index.js';
import { DEFAULT_MAX_BLOCK_SIZE, defaultProfileDir, loadIdentityDeps, type IdentityDeps } from '../src/identity/identity-deps.js';
import { evaluateClusters } from '../src/identity/evaluate.js';
import { matchPatient } from '../src/identity/index-queries.js';
import { matchMembers } from '../src/identity/link-store.js';
import { indexSourcePatient } from '../src/identity/patient-index.repository.js';
import { personFromPatient } from '../src/identity/person.js';
import { scoreAgainstGolden } from '../src/identity/scoring.js';
import { readTermFrequencies } from '../src/identity/term-frequency.repository.js';
import { freshDatabase, machine, percentile } from './bench-support.js';
import { population, probes, recordId } from './identity-population.js';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const positive = (name: string, fallback: number) => {
  const v = Number(arg(name) ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${arg(name)}`);
  return v;
};
const RECORDS = positive('--records', 1_000_000);
const PROBES = positive('--probes', 1000);
const BATCH = positive('--batch', 2000);
const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';

interface Timed {
  p50: number;
  p99: number;
  mean: number;
}

async function timeEach<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<Timed> {
  const ms: number[] = [];
  for (const item of items) {
    const t = performance.now();
    await fn(item);
    ms.push(performance.now() - t);
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), mean: ms.reduce((a, b) => a + b, 0) / ms.length };
}

/** Scoring alone: the probe against the goldens its blocks reach, with their members preloaded. */
async function scoringFloor(db: Db, probe: readonly Patient[], deps: IdentityDeps): Promise<Timed> {
  const prepared: { person: ReturnType<typeof personFromPatient>; goldens: ReturnType<typeof personFromPatient>[][]; tf: Awaited<ReturnType<typeof readTermFrequencies>> }[] = [];
  for (const p of probe) {
    const person = personFromPatient(p, deps.reference);
    const search = await findCandidateSources(db, person, { cap: deps.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE });
    const links = search.sourceIds.length ? await db.selectFrom('mpi_link').select('golden_id').distinct().where('source_id', 'in', search.sourceIds).where('state', '=', 'MATCH').where('recorded_to', 'is', null).where('valid_to', 'is', null).execute() : [];
    const members = await matchMembers(db, links.map((l) => l.golden_id));
    prepared.push({ person, goldens: [...members.values()].map((list) => list.map((m) => m.person)), tf: await readTermFrequencies(db, person, deps.model) });
  }
  return timeEach(prepared, async (x) => {
    for (const g of x.goldens) scoreAgainstGolden(x.person, g, deps.model, x.tf);
  });
}

/**
 * CPU seconds used so far by this database's server processes, when the server runs on this host
 * (/proc readable); CPU time, unlike wall time, is not inflated by other work on a shared machine.
 */
async function serverCpuSeconds(db: Db): Promise<number | undefined> {
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = (fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return undefined;
    }
  }
  return ticks / 100;
}

async function main(): Promise<void> {
  const deps = loadIdentityDeps(defaultProfileDir());
  const pop = population(RECORDS);
  const probe = probes(PROBES, pop);
  const fresh = await freshDatabase(SERVER, 'sinew_bench_identity');
  const database = await openDatabase({ databaseUrl: fresh.url, dataDir: 'memory', poolSize: 2 });
  const lines: string[] = [];
  try {
    const db = database.db;
    await migrateToLatest(db);
    const at = new Date('2026-01-01T00:00:00Z');
    const cpu0 = process.cpuUsage();
    const server0 = await serverCpuSeconds(db);
    const t0 = performance.now();
    let done = 0;
    let candidates = 0;
    const summary = await bulkIndexSourcePatients(db, pop.records(), { at, by: 'bench' }, deps, {
      batchSize: BATCH,
      onBatch: (d) => {
        done += d.length;
        for (const x of d) candidates += x.candidateGoldens;
        if (done % 50_000 < d.length) process.stderr.write(`bulk: ${done.toLocaleString('en')} records, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
      },
    });
    const bulkSeconds = (performance.now() - t0) / 1000;
    const server1 = await serverCpuSeconds(db);
    const cpu = process.cpuUsage(cpu0);
    const clientCpu = (cpu.user + cpu.system) / 1e6;
    const serverCpu = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
    await sql`ANALYZE`.execute(db);
    const goldens = await db.selectFrom('mpi_golden').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    // Quality at scale: records under review count as clusters of their own (automatic links only).
    const linkRows = await db.selectFrom('mpi_link').select(['source_id', 'golden_id', 'state']).where('state', 'in', ['MATCH', 'POSSIBLE_MATCH']).where('recorded_to', 'is', null).where('valid_to', 'is', null).execute();
    const clusterOf = new Map(linkRows.map((r) => [r.source_id as string, r.state === 'MATCH' ? r.golden_id : `review:${r.source_id}`]));
    const quality = evaluateClusters(
      Array.from(pop.personOf, String),
      Array.from(pop.personOf, (_, i) => clusterOf.get(recordId(i)) ?? `missing:${i}`),
    );

    const roundTrip = await timeEach(probe, () => sql`SELECT 1`.execute(db));
    const blocking = await timeEach(probe, (p) => findCandidateSources(db, personFromPatient(p, deps.reference), { cap: deps.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE }));
    const scoring = await scoringFloor(db, probe, deps);
    const match = await timeEach(probe, (p) => matchPatient(db, p, deps));
    const index = await timeEach(probe, (p) => indexSourcePatient(db, p, { at, by: 'bench-probe' }, deps));

    const ms = (t: Timed) => `p50 ${t.p50.toFixed(2)} ms, p99 ${t.p99.toFixed(2)} ms (mean ${t.mean.toFixed(2)})`;
    const ratio = (t: Timed, floor: Timed) => `${(t.p50 / floor.p50).toFixed(1)}× / ${(t.p99 / floor.p99).toFixed(1)}×`;
    const m = summary.millis;
    const total = m.snapshot + m.link + m.write;
    lines.push(
      `host: ${await machine(fresh.url)}`,
      `index: ${RECORDS.toLocaleString('en')} source records (${pop.people.toLocaleString('en')} people), ${Number(goldens.n).toLocaleString('en')} golden records; ${PROBES} probes (half new people, half noisy duplicates)`,
      '',
      '| measure | result | vs floor (p50 / p99) |',
      '|---|---|---|',
      `| bulk link (${BATCH.toLocaleString('en')} per transaction) | ${Math.round(RECORDS / bulkSeconds).toLocaleString('en')} records/s, ${bulkSeconds.toFixed(1)} s | in-memory linking alone ${Math.round((RECORDS / m.link) * 1000).toLocaleString('en')} records/s |`,
      `| bulk CPU time (load-independent): client / server | ${clientCpu.toFixed(1)} s / ${serverCpu === undefined ? 'n/a (remote server)' : `${serverCpu.toFixed(1)} s`}: ${Math.round(RECORDS / (clientCpu + (serverCpu ?? 0))).toLocaleString('en')} records per CPU-second | |`,
      `| bulk split: snapshot reads / in-memory linking / writes | ${((100 * m.snapshot) / total).toFixed(0)} % / ${((100 * m.link) / total).toFixed(0)} % / ${((100 * m.write) / total).toFixed(0)} % | |`,
      `| bulk decisions | ${summary.matched.toLocaleString('en')} MATCH, ${summary.review.toLocaleString('en')} review, ${summary.newGoldens.toLocaleString('en')} new goldens, ${summary.possibleDuplicates} duplicate flags, ${summary.skippedBlocks.toLocaleString('en')} oversized blocks skipped; ${(candidates / RECORDS).toFixed(1)} candidate goldens per record | |`,
      `| bulk quality (automatic links vs the generator's truth) | pairwise P ${quality.precision.toFixed(4)}, R ${quality.recall.toFixed(4)}, F1 ${quality.f1.toFixed(4)}; false-merge rate ${(100 * quality.falseMergeRate).toFixed(3)} %, split rate ${(100 * quality.splitRate).toFixed(2)} % | |`,
      `| $match (matchPatient, read-only) | ${ms(match)} | ${ratio(match, blocking)} blocking SQL |`,
      `| indexSourcePatient (stored, committed) | ${ms(index)} | ${ratio(index, blocking)} blocking SQL |`,
      `| floor: blocking SQL alone (findCandidateSources) | ${ms(blocking)} | ${ratio(blocking, roundTrip)} round trip |`,
      `| floor: scoring alone in memory (reached goldens) | ${ms(scoring)} | |`,
      `| floor: one round trip (SELECT 1) | ${ms(roundTrip)} | |`,
      '',
    );
  } finally {
    await database.close();
    if (!args.includes('--keep')) await fresh.drop();
  }
  process.stdout.write(lines.join('\n'));
}

await main();
