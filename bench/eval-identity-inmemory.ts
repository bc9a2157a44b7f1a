/**
 * Identity evaluation with the in-memory reference linker (no database):
 *   npm run build && node dist/bench/eval-identity-inmemory.js [--no-train] [--match P]
 * Run from the project root; datasets are read from ../shared/datasets (SINEW_DATASETS overrides).
 */
import path from 'node:path';
import { readFebrl } from '../src/identity/eval/febrl.js';
import { readHistorical } from '../src/identity/eval/historical.js';
import type { LabelledPatient } from '../src/identity/eval/labelled.js';
import { runEvaluation, type EvaluationRun } from '../src/identity/eval/run-evaluation.js';
import { loadMatchModel, type MatchModel } from '../src/identity/model.js';
import { loadIdentityReference } from '../src/identity/reference.js';

const root = process.env.SINEW_ROOT ?? process.cwd();
const datasets = process.env.SINEW_DATASETS ?? path.resolve(root, '../shared/datasets');
const args = process.argv.slice(2);
const train = !args.includes('--no-train');
const matchArg = args.indexOf('--match');
const ref = loadIdentityReference(path.join(root, 'profiles/identity'));
const loaded = loadMatchModel(path.join(root, 'profiles/identity/match-model.json'));
const start: MatchModel = matchArg >= 0 ? { ...loaded, thresholds: { ...loaded.thresholds, match: { probability: Number(args[matchArg + 1]) } } } : loaded;

const sets: [string, () => LabelledPatient[]][] = [
  ['FEBRL4 (4a+4b)', () => [...readFebrl(path.join(datasets, 'febrl/dataset4a.csv'), 'a'), ...readFebrl(path.join(datasets, 'febrl/dataset4b.csv'), 'b')]],
  ['FEBRL3', () => readFebrl(path.join(datasets, 'febrl/dataset3.csv'), 'd3')],
  ['historical_50k', () => readHistorical(path.join(datasets, 'historical_50k/historical_figures_with_errors_50k.csv'))],
];

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const rows: EvaluationRun[] = [];
for (const [name, load] of sets) {
  const run = runEvaluation(name, load(), ref, start, {
    train: train ? { randomPairs: 1_000_000, seed: 42, maxIterations: 50 } : false,
    shuffleSeed: 7,
    evidence: args.includes('--per-comparison') ? 'best-per-comparison' : 'best-pair',
  });
  rows.push(run);
  const m = run.metrics;
  console.log(
    `${name}: P ${m.precision.toFixed(4)} R ${m.recall.toFixed(4)} F1 ${m.f1.toFixed(4)} | clusters ${m.clusters} (true ${m.trueEntities}) ` +
      `false-merge ${m.falseMergeClusters} (${pct(m.falseMergeRate)}) split ${m.splitEntities} (${pct(m.splitRate)}) | review ${run.link.reviewQueue} ` +
      `dup-flags ${run.link.possibleDuplicates} | λ ${run.prior.toExponential(2)} train ${run.trainSeconds.toFixed(1)} s link ${run.linkSeconds.toFixed(1)} s ` +
      `(${Math.round(run.recordsPerSecond)} rec/s, ${run.link.comparisons} comparisons)`,
  );
}
console.log(JSON.stringify(rows.map(({ dataset, modelVersion, metrics, link, recordsPerSecond }) => ({ dataset, modelVersion, metrics, link, recordsPerSecond })), null, 1));
