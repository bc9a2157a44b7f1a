/**
 * Identity evaluation through the database (notes/identity.md §9): every record goes through
 * indexSourcePatient on a fresh PostgreSQL database per data set, dropped afterwards.
 *   npm run build && node dist/bench/eval-identity.js [--no-train] [--workers N] [--only febrl4|febrl3|historical] [--limit N]
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); datasets from
 * ../shared/datasets (SINEW_DATASETS overrides).
 */
import path from 'node:path';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { TRAINING_RULES } from '../src/identity/blocking.js';
import { readFebrl } from '../src/identity/eval/febrl.js';
import { readHistorical } from '../src/identity/eval/historical.js';
import type { LabelledPatient } from '../src/identity/eval/labelled.js';
import { evaluateClusters, type LinkageMetrics } from '../src/identity/evaluate.js';
import { loadIdentityDeps, type IdentityDeps } from '../src/identity/identity-deps.js';
import { indexSourcePatient } from '../src/identity/patient-index.repository.js';
import { personFromPatient } from '../src/identity/person.js';
import { seededRandom, shuffled } from '../src/identity/random.js';
import { trainModel } from '../src/identity/train.js';
import { freshDatabase, machine } from './bench-support.js';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const root = process.env.SINEW_ROOT ?? process.cwd();
const datasets = process.env.SINEW_DATASETS ?? path.resolve(root, '../shared/datasets');
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const workers = Number(arg('--workers') ?? 2);
const limit = arg('--limit') ? Number(arg('--limit')) : undefined;

const SETS: [string, string, () => LabelledPatient[]][] = [
  ['febrl4', 'FEBRL4 (4a+4b)', () => [...readFebrl(path.join(datasets, 'febrl/dataset4a.csv'), 'a'), ...readFebrl(path.join(datasets, 'febrl/dataset4b.csv'), 'b')]],
  ['febrl3', 'FEBRL3', () => readFebrl(path.join(datasets, 'febrl/dataset3.csv'), 'd3')],
  ['historical', 'historical_50k', () => readHistorical(path.join(datasets, 'historical_50k/historical_figures_with_errors_50k.csv'))],
];

export interface DbEvaluation {
  name: string;
  records: number;
  asLinked: LinkageMetrics;
  autoOnly: LinkageMetrics;
  review: number;
  duplicateFlags: number;
  recordsPerSecond: number;
  seconds: number;
}

/** Cluster of each record: its golden; `autoOnly` puts records under review in clusters of their own. */
export async function clustersFromIndex(db: Db, ids: readonly string[], autoOnly: boolean): Promise<string[]> {
  const rows = await db.selectFrom('mpi_link').select(['source_id', 'golden_id', 'state']).where('state', 'in', ['MATCH', 'POSSIBLE_MATCH']).where('recorded_to', 'is', null).where('valid_to', 'is', null).execute();
  const of = new Map(rows.map((r) => [r.source_id as string, autoOnly && r.state === 'POSSIBLE_MATCH' ? `review:${r.source_id}` : r.golden_id]));
  return ids.map((id) => of.get(id) ?? `missing:${id}`);
}

async function evaluate(name: string, labelled: LabelledPatient[], base: IdentityDeps, train: boolean): Promise<DbEvaluation> {
  const ordered = shuffled(labelled, seededRandom(7)).slice(0, limit);
  const model = train
    ? trainModel(ordered.map((l) => personFromPatient(l.patient, base.reference)), { blockingRules: TRAINING_RULES, randomPairs: 1_000_000, seed: 42, maxIterations: 50 }, base.model)
    : base.model;
  const deps = { ...base, model };
  const fresh = await freshDatabase(serverUrl, `sinew_eval_${name}`);
  const database = await openDatabase({ databaseUrl: fresh.url, dataDir: 'memory', poolSize: workers + 1 });
  try {
    await migrateToLatest(database.db);
    const at = new Date('2025-01-01T00:00:00Z');
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let i = next++; i < ordered.length; i = next++) await indexSourcePatient(database.db, (ordered[i] as LabelledPatient).patient, { at }, deps);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const ids = ordered.map((l) => l.patient.id as string);
    const truth = ordered.map((l) => l.truth);
    const counts = await database.db.selectFrom('mpi_link').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('recorded_to', 'is', null).where('valid_to', 'is', null).groupBy('state').execute();
    const count = (s: string) => Number(counts.find((c) => c.state === s)?.n ?? 0);
    return {
      name,
      records: ordered.length,
      asLinked: evaluateClusters(truth, await clustersFromIndex(database.db, ids, false)),
      autoOnly: evaluateClusters(truth, await clustersFromIndex(database.db, ids, true)),
      review: count('POSSIBLE_MATCH') + count('POSSIBLE_DUPLICATE'),
      duplicateFlags: count('POSSIBLE_DUPLICATE'),
      recordsPerSecond: ordered.length / seconds,
      seconds,
    };
  } finally {
    await database.close();
    await fresh.drop();
  }
}

async function main(): Promise<void> {
  const base = loadIdentityDeps(path.join(root, 'profiles/identity'));
  const train = !args.includes('--no-train');
  const only = arg('--only');
  const f = (x: number) => x.toFixed(4);
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const lines = [
    `Machine: ${await machine(serverUrl)}; ${workers} indexing connection(s); model ${train ? 'trained per data set (u random pairs, m EM)' : base.model.version}`,
    '',
    '| Data set | Records | P | R | F1 | False-merge rate | Split rate | Review queue | F1 auto-only | Records/s |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [key, label, load] of SETS) {
    if (only && only !== key) continue;
    const r = await evaluate(key, load(), base, train);
    const m = r.asLinked;
    const line = `| ${label} | ${r.records} | ${f(m.precision)} | ${f(m.recall)} | ${f(m.f1)} | ${pct(m.falseMergeRate)} (${m.falseMergeClusters}) | ${pct(m.splitRate)} | ${r.review} (${r.duplicateFlags} dup.) | ${f(r.autoOnly.f1)} (FM ${pct(r.autoOnly.falseMergeRate)}) | ${Math.round(r.recordsPerSecond)} |`;
    lines.push(line);
    process.stderr.write(`${line}\n`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
