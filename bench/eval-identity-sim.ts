/**
 * Fast model tuning: the production decision (decideLink, golden evidence, running term
 * frequencies) simulated in memory on the same shuffled, trained data as bench/eval-identity.ts.
 *   npm run build && node dist/bench/eval-identity-sim.js [--only febrl4|febrl3|historical] [--no-train]
 *     [--match P] [--possible P] [--false-merges N] [--save-model PREFIX] [--model FILE (skips training)]
 * The figures of record come from the database run; this one is for trying a change in seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TRAINING_RULES } from '../src/identity/blocking.js';
import { readFebrl } from '../src/identity/eval/febrl.js';
import { readHistorical } from '../src/identity/eval/historical.js';
import type { LabelledPatient } from '../src/identity/eval/labelled.js';
import { simulateIndex } from '../src/identity/eval/simulate-index.js';
import { evaluateClusters } from '../src/identity/evaluate.js';
import { uniqueSystems, DEFAULT_SURVIVORSHIP } from '../src/identity/golden-record.js';
import { DEFAULT_MAX_BLOCK_SIZE, loadIdentityDeps } from '../src/identity/identity-deps.js';
import { loadMatchModel, type MatchModel } from '../src/identity/model.js';
import { personFromPatient } from '../src/identity/person.js';
import { seededRandom, shuffled } from '../src/identity/random.js';
import { scorePair } from '../src/identity/scoring.js';
import { trainModel } from '../src/identity/train.js';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const root = process.env.SINEW_ROOT ?? process.cwd();
const datasets = process.env.SINEW_DATASETS ?? path.resolve(root, '../shared/datasets');
const only = arg('--only');
const showFalseMerges = Number(arg('--false-merges') ?? 0);

const SETS: [string, () => LabelledPatient[]][] = [
  ['febrl4', () => [...readFebrl(path.join(datasets, 'febrl/dataset4a.csv'), 'a'), ...readFebrl(path.join(datasets, 'febrl/dataset4b.csv'), 'b')]],
  ['febrl3', () => readFebrl(path.join(datasets, 'febrl/dataset3.csv'), 'd3')],
  ['historical', () => readHistorical(path.join(datasets, 'historical_50k/historical_figures_with_errors_50k.csv'))],
];

const base = loadIdentityDeps(path.join(root, 'profiles/identity'));
const f = (x: number) => x.toFixed(4);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

for (const [name, load] of SETS) {
  if (only && only !== name) continue;
  const ordered = shuffled(load(), seededRandom(7));
  const persons = ordered.map((l) => personFromPatient(l.patient, base.reference));
  const given = arg('--model');
  let model: MatchModel = given ? loadMatchModel(given) : args.includes('--no-train') ? base.model : trainModel(persons, { blockingRules: TRAINING_RULES, randomPairs: 1_000_000, seed: 42, maxIterations: 50 }, base.model);
  const match = arg('--match');
  const possible = arg('--possible');
  if (match || possible) model = { ...model, thresholds: { match: match ? { probability: Number(match) } : model.thresholds.match, possible: possible ? { probability: Number(possible) } : model.thresholds.possible } };
  const save = arg('--save-model');
  if (save) fs.writeFileSync(`${save}.${name}.json`, `${JSON.stringify(model, null, 2)}\n`);
  const t0 = performance.now();
  const sim = simulateIndex(persons, model, { cap: base.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE, uniqueSystems: uniqueSystems(base.survivorship ?? DEFAULT_SURVIVORSHIP) });
  const seconds = (performance.now() - t0) / 1000;
  const truth = ordered.map((l) => l.truth);
  const asLinked = evaluateClusters(truth, sim.links.map((l) => l.golden));
  const autoOnly = evaluateClusters(truth, sim.links.map((l, i) => (l.state === 'MATCH' ? String(l.golden) : `review:${i}`)));
  const review = sim.links.filter((l) => l.state === 'POSSIBLE_MATCH').length;
  console.log(
    `${name}: P ${f(asLinked.precision)} R ${f(asLinked.recall)} F1 ${f(asLinked.f1)} FM ${pct(asLinked.falseMergeRate)} (${asLinked.falseMergeClusters}) split ${pct(asLinked.splitRate)} ` +
      `review ${review} (+${sim.duplicateFlags} dup.) | auto-only F1 ${f(autoOnly.f1)} FM ${pct(autoOnly.falseMergeRate)} (${autoOnly.falseMergeClusters}) | ${Math.round(persons.length / seconds)} rec/s`,
  );
  const rules = new Map<string, number>();
  for (const l of sim.links) rules.set(`${l.state}/${l.rule}`, (rules.get(`${l.state}/${l.rule}`) ?? 0) + 1);
  console.log(`  decisions: ${[...rules].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (!showFalseMerges) continue;
  const byGolden = new Map<number, number[]>();
  sim.links.forEach((l, i) => byGolden.set(l.golden, [...(byGolden.get(l.golden) ?? []), i]));
  let shown = 0;
  for (const members of byGolden.values()) {
    if (new Set(members.map((i) => truth[i])).size < 2 || shown++ >= showFalseMerges) continue;
    console.log(`false merge (${members.map((i) => `${ordered[i]?.patient.id}=${truth[i]} ${sim.links[i]?.state} ${sim.links[i]?.rule} ${sim.links[i]?.weight?.toFixed(1) ?? ''}`).join(', ')})`);
    const first = members[0] as number;
    for (const i of members.slice(1)) {
      if (truth[i] === truth[first]) continue;
      const s = scorePair(persons[i] as never, persons[first] as never, model);
      console.log(`  ${ordered[i]?.patient.id} vs ${ordered[first]?.patient.id}: ${s.parts.map((p) => `${p.comparison}=${p.level} ${p.weight.toFixed(1)}${p.a !== undefined ? ` [${p.a}/${p.b ?? ''}]` : ''}`).join('; ')}`);
    }
  }
}
