/**
 * Identity evaluation through the database (notes/identity.md §9): every record goes through
 * indexSourcePatient on a fresh PostgreSQL database per data set, dropped afterwards.
 *   npm run build && node dist/bench/eval-identity.js [--no-train] [--workers N | --bulk] [--only febrl4|febrl3|historical] [--limit N]
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
import { bulkIndexSourcePatients } from '../src/identity/bulk-index.js';
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
const bulk = args.includes('--bulk');
const limit = arg('--limit') ? Number(arg('--limit')) : undefined;
const showFalseMerges = Number(arg('--false-merges') ?? 0);

/** The goals of the identity issue: F1 floor and false-merge ceiling (goldens holding more than one true person, review links included). */
interface Goal {
  f1?: number;
  maxFalseMergeRate: number;
}

const SETS: [string, string, () => LabelledPatient[], Goal][] = [
  ['febrl4', 'FEBRL4 (4a+4b)', () => [...readFebrl(path.join(datasets, 'febrl/dataset4a.csv'), 'a'), ...readFebrl(path.join(datasets, 'febrl/dataset4b.csv'), 'b')], { f1: 0.995, maxFalseMergeRate: 0 }],
  ['febrl3', 'FEBRL3', () => readFebrl(path.join(datasets, 'febrl/dataset3.csv'), 'd3'), { f1: 0.98, maxFalseMergeRate: 0.01 }],
  ['historical', 'historical_50k', () => readHistorical(path.join(datasets, 'historical_50k/historical_figures_with_errors_50k.csv')), { maxFalseMergeRate: 0.01 }],
];

/** "met", or how far off, for the README: distances are stated, never rounded away. */
export function goalCell(goal: Goal, m: LinkageMetrics): string {
  const wanted = [...(goal.f1 !== undefined ? [`F1 ≥ ${goal.f1}`] : []), goal.maxFalseMergeRate ? `FM ≤ ${(100 * goal.maxFalseMergeRate).toFixed(0)} %` : 'no false merge'];
  const misses = [
    ...(goal.f1 !== undefined && m.f1 < goal.f1 ? [`F1 short by ${(goal.f1 - m.f1).toFixed(4)}`] : []),
    ...(m.falseMergeRate > goal.maxFalseMergeRate ? [`FM over by ${(100 * (m.falseMergeRate - goal.maxFalseMergeRate)).toFixed(2)} pt (${m.falseMergeClusters} goldens)`] : []),
  ];
  return `${wanted.join(', ')}: ${misses.length ? misses.join('; ') : 'met'}`;
}

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

/** The waterfall of every link in the first `max` goldens holding more than one true person: what to fix. */
async function printFalseMerges(db: Db, ids: readonly string[], truth: readonly string[], max: number): Promise<void> {
  const truthOf = new Map(ids.map((id, i) => [id, truth[i]]));
  const rows = await db.selectFrom('mpi_link').select(['source_id', 'golden_id', 'state', 'rule', 'score', 'explanation']).where('state', 'in', ['MATCH', 'POSSIBLE_MATCH']).where('recorded_to', 'is', null).where('valid_to', 'is', null).execute();
  const byGolden = new Map<string, typeof rows>();
  for (const r of rows) byGolden.set(r.golden_id, [...(byGolden.get(r.golden_id) ?? []), r]);
  let shown = 0;
  for (const [golden, links] of byGolden) {
    if (new Set(links.map((l) => truthOf.get(l.source_id as string))).size < 2 || shown++ >= max) continue;
    process.stderr.write(`false merge ${golden}\n`);
    for (const l of links) {
      const parts = ((l.explanation as { parts?: { comparison: string; level: string; weight: number; a?: string; b?: string }[] } | null)?.parts ?? [])
        .map((p) => `${p.comparison}=${p.level} ${p.weight.toFixed(1)}${p.a !== undefined ? ` [${p.a} / ${p.b ?? ''}]` : ''}`)
        .join('; ');
      process.stderr.write(`  ${l.source_id} truth=${truthOf.get(l.source_id as string)} ${l.state} ${l.rule} ${l.score?.toFixed(2) ?? ''}\n    ${parts}\n`);
    }
  }
}

async function evaluate(name: string, labelled: LabelledPatient[], base: IdentityDeps, train: boolean): Promise<DbEvaluation> {
  const ordered = shuffled(labelled, seededRandom(7)).slice(0, limit);
  const model = train
    ? trainModel(ordered.map((l) => personFromPatient(l.patient, base.reference)), { blockingRules: TRAINING_RULES, randomPairs: 1_000_000, seed: 42, maxIterations: 50 }, base.model)
    : base.model;
  const deps = { ...base, model };
  // The pid keeps two evaluations on one server (CI, a colleague) from dropping each other's database.
  const fresh = await freshDatabase(serverUrl, `sinew_eval_${name}_${process.pid}`);
  const database = await openDatabase({ databaseUrl: fresh.url, dataDir: 'memory', poolSize: workers + 1 });
  try {
    await migrateToLatest(database.db);
    const at = new Date('2025-01-01T00:00:00Z');
    let next = 0;
    const t0 = performance.now();
    // --bulk: the same decisions in batches (bulk-index.ts) instead of one transaction per record.
    if (bulk) await bulkIndexSourcePatients(database.db, ordered.map((l) => l.patient), { at }, deps);
    else
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let i = next++; i < ordered.length; i = next++) await indexSourcePatient(database.db, (ordered[i] as LabelledPatient).patient, { at }, deps);
        }),
      );
    const seconds = (performance.now() - t0) / 1000;
    const ids = ordered.map((l) => l.patient.id as string);
    const truth = ordered.map((l) => l.truth);
    const counts = await database.db.selectFrom('mpi_link').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('recorded_to', 'is', null).where('valid_to', 'is', null).groupBy('state').execute();
    if (showFalseMerges) await printFalseMerges(database.db, ids, truth, showFalseMerges);
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
    `Machine: ${await machine(serverUrl)}; ${bulk ? 'bulk (2,000 per transaction)' : `${workers} indexing connection(s)`}; model ${train ? 'trained per data set (u random pairs, m EM)' : base.model.version}`,
    '',
    '| Data set | Records | P | R | F1 | False-merge rate | Split rate | Review queue | F1 auto-only | Records/s | Goal |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [key, label, load, goal] of SETS) {
    if (only && only !== key) continue;
    const r = await evaluate(key, load(), base, train);
    const m = r.asLinked;
    const line = `| ${label} | ${r.records} | ${f(m.precision)} | ${f(m.recall)} | ${f(m.f1)} | ${pct(m.falseMergeRate)} (${m.falseMergeClusters}) | ${pct(m.splitRate)} | ${r.review} (${r.duplicateFlags} dup.) | ${f(r.autoOnly.f1)} (FM ${pct(r.autoOnly.falseMergeRate)}) | ${Math.round(r.recordsPerSecond)} | ${goalCell(goal, m)} |`;
    lines.push(line);
    process.stderr.write(`${line}\n`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
