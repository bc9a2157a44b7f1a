import { candidatePairs, type BlockingRule } from './blocking.js';
import { NULL_LEVEL } from './comparisons/comparison.js';
import { COMPARISONS, type ComparisonName } from './comparisons/registry.js';
import { parseMatchModel, type MatchModel } from './model.js';
import type { Person } from './person.js';
import { seededRandom } from './random.js';

export interface TrainingOptions {
  blockingRules: readonly BlockingRule[];
  /** Random pairs sampled to estimate u (Splink's estimate_u_using_random_sampling). */
  randomPairs: number;
  seed: number;
  maxIterations: number;
  /** Stop EM when no m moves by more than this. */
  tolerance?: number;
  /** Cap on candidate pairs per training rule; larger sets are sampled with the seed. */
  maxPairsPerRule?: number;
}

type Dist = number[];
type Levels = Record<string, Dist>;

const SMOOTHING = 0.1;

function levelsOf(records: readonly Person[], pairs: readonly [number, number][], names: readonly ComparisonName[]): Int8Array {
  const out = new Int8Array(pairs.length * names.length);
  pairs.forEach(([i, j], k) => {
    names.forEach((n, c) => {
      out[k * names.length + c] = COMPARISONS[n].compare(records[i], records[j]);
    });
  });
  return out;
}

/** u from random pairs: almost all are different people, so level shares estimate P(level | non-match). */
function estimateU(records: readonly Person[], names: readonly ComparisonName[], randomPairs: number, random: () => number): Levels {
  const pairs: [number, number][] = [];
  while (pairs.length < randomPairs) {
    const i = Math.floor(random() * records.length);
    const j = Math.floor(random() * records.length);
    if (i !== j) pairs.push([i, j]);
  }
  const levels = levelsOf(records, pairs, names);
  const u: Levels = {};
  names.forEach((n, c) => {
    const counts: Dist = COMPARISONS[n].levels.map(() => 0);
    for (let k = 0; k < pairs.length; k++) {
      const l = levels[k * names.length + c];
      if (l !== NULL_LEVEL) counts[l]++;
    }
    // A level never seen among random pairs is rare, not impossible: one pseudo-count keeps u > 0.
    const total = counts.reduce((s, x) => s + x, 0) + counts.length;
    u[n] = counts.map((x) => (x + 1) / total);
  });
  return u;
}

interface EmResult {
  m: Levels;
  expectedMatches: number;
}

/** EM for m and the in-block λ with u fixed; comparisons the rule blocks on are left out. */
function expectationMaximisation(levels: Int8Array, pairCount: number, names: readonly ComparisonName[], startM: Levels, u: Levels, opts: TrainingOptions): EmResult {
  const m: Levels = Object.fromEntries(names.map((n) => [n, [...startM[n]]]));
  let lambda = 0.3;
  let expected = 0;
  for (let iter = 0; iter < opts.maxIterations; iter++) {
    const acc: Levels = Object.fromEntries(names.map((n) => [n, m[n].map(() => 0)]));
    const logBf: Levels = Object.fromEntries(names.map((n) => [n, m[n].map((x, l) => Math.log(x / u[n][l]))]));
    expected = 0;
    const logPrior = Math.log(lambda / (1 - lambda));
    for (let k = 0; k < pairCount; k++) {
      let logit = logPrior;
      for (let c = 0; c < names.length; c++) {
        const l = levels[k * names.length + c];
        if (l !== NULL_LEVEL) logit += logBf[names[c]][l];
      }
      const p = 1 / (1 + Math.exp(-logit));
      expected += p;
      for (let c = 0; c < names.length; c++) {
        const l = levels[k * names.length + c];
        if (l !== NULL_LEVEL) acc[names[c]][l] += p;
      }
    }
    let delta = 0;
    for (const n of names) {
      const total = acc[n].reduce((s, x) => s + x, 0) + SMOOTHING * acc[n].length;
      const next = acc[n].map((x) => (x + SMOOTHING) / total);
      next.forEach((x, l) => (delta = Math.max(delta, Math.abs(x - m[n][l]))));
      m[n] = next;
    }
    lambda = Math.min(Math.max(expected / Math.max(pairCount, 1), 1e-6), 1 - 1e-6);
    if (delta < (opts.tolerance ?? 1e-4)) break;
  }
  return { m, expectedMatches: expected };
}

/**
 * A swap may not outweigh exact agreement. Crosswise agreement almost never happens by chance, so
 * random pairs give "swapped" a tiny u and a Bayes factor far above exact agreement, and given and
 * family name both fire on one swap: FEBRL4's "NGUYEN LACHLAN" / "LACHLAN NGUYEN", two people,
 * scored 25 bits for names alone. Lowering m to the exact level's Bayes factor keeps a swap at
 * most as strong as the same names in place. Other levels keep their estimates: a close spelling
 * of a rare name is legitimately stronger than exact agreement on an average one.
 */
export function capSwappedLevels<L extends { label: string; m: number; u: number }>(levels: readonly L[]): L[] {
  const first = levels[0];
  if (!first) return [];
  const cap = first.m / first.u;
  return levels.map((l) => (l.label === 'swapped' && l.m / l.u > cap ? { ...l, m: l.u * cap } : l));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Estimate a model from unlabelled records (Splink recipe): u from seeded random pairs; m by EM on
 * each blocking rule's candidate pairs, never for the comparisons that rule blocks on, averaged
 * over rules; λ from each rule's expected matches divided by its estimated recall. Deterministic
 * for a given seed. Thresholds and TF flags are kept from `start`.
 */
export function trainModel(records: readonly Person[], opts: TrainingOptions, start: MatchModel): MatchModel {
  const random = seededRandom(opts.seed);
  const names = start.comparisons.map((c) => c.name);
  const startM: Levels = Object.fromEntries(start.comparisons.map((c) => [c.name, c.levels.map((l) => l.m)]));
  const u = estimateU(records, names, opts.randomPairs, random);
  const estimates: Record<string, Levels[keyof Levels][]> = {};
  const perRule: { rule: BlockingRule; expectedMatches: number }[] = [];
  for (const rule of opts.blockingRules) {
    let pairs = candidatePairs(records, rule);
    const cap = opts.maxPairsPerRule ?? 2_000_000;
    if (pairs.length > cap) pairs = pairs.filter(() => random() < cap / pairs.length);
    if (pairs.length === 0) continue;
    const active = names.filter((n) => !rule.on.includes(n));
    const em = expectationMaximisation(levelsOf(records, pairs, active), pairs.length, active, startM, u, opts);
    for (const n of active) (estimates[n] ??= []).push(em.m[n]);
    perRule.push({ rule, expectedMatches: em.expectedMatches });
  }
  const m: Levels = Object.fromEntries(
    names.map((n) => {
      const list = estimates[n];
      if (!list?.length) return [n, startM[n]];
      return [n, startM[n].map((_, l) => list.reduce((s, d) => s + d[l], 0) / list.length)];
    }),
  );
  const totalPairs = (records.length * (records.length - 1)) / 2;
  const priors = perRule.map(({ rule, expectedMatches }) => {
    const recall = rule.on.reduce((r, n) => r * (m[n]?.[0] ?? 1), 1);
    return expectedMatches / Math.max(recall, 1e-3) / totalPairs;
  });
  const prior = priors.length ? Math.min(Math.max(median(priors), 1e-9), 0.5) : start.prior;
  const trained = {
    ...start,
    version: `${start.version}+trained-seed-${opts.seed}`,
    prior,
    comparisons: start.comparisons.map((c) => ({
      ...c,
      levels: capSwappedLevels(c.levels.map((l, i) => ({ ...l, m: Math.min(Math.max(m[c.name][i], 1e-6), 1), u: Math.min(Math.max(u[c.name][i], 1e-9), 1) }))),
    })),
  };
  return parseMatchModel(trained, 'trained model');
}
