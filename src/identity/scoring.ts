import { NULL_LEVEL } from './comparisons/comparison.js';
import { COMPARISONS } from './comparisons/registry.js';
import type { LevelModel, MatchModel } from './model.js';
import type { Person } from './person.js';
import type { TermFrequencies } from './term-frequencies.js';

/** One bar of the waterfall: what a comparison found and how much evidence it added. */
export interface ScorePart {
  comparison: string;
  level: string;
  /** log2 Bayes factor of this part, TF adjustment included; 0 for a null level. */
  weight: number;
  tfAdjustment?: number;
  a?: string;
  b?: string;
}

export interface PairScore {
  weight: number;
  probability: number;
  /** The first part is the prior; the weights of all parts sum to `weight`. */
  parts: ScorePart[];
}

export const PRIOR_PART = 'prior';

export function weightToProbability(weight: number): number {
  const odds = 2 ** weight;
  return Number.isFinite(odds) ? odds / (1 + odds) : 1;
}

/**
 * Fellegi–Sunter match weight: log2(λ/(1−λ)) + Σ log2(m/u), with Splink's term-frequency
 * adjustment at exact name levels (u replaced by the value's frequency, floored at tfMinimumU).
 * Pure: scoring never reads anything but its arguments.
 */
export function scorePair(a: Person, b: Person, model: MatchModel, tf?: TermFrequencies): PairScore {
  const prior = priorWeight(model);
  const parts: ScorePart[] = [{ comparison: PRIOR_PART, level: PRIOR_PART, weight: prior }];
  let weight = prior;
  for (const cm of model.comparisons) {
    const comparison = COMPARISONS[cm.name];
    const index = comparison.compare(a, b);
    const part: ScorePart = { comparison: cm.name, level: index === NULL_LEVEL ? 'null' : cm.levels[index].label, weight: 0 };
    const sa = comparison.show(a);
    const sb = comparison.show(b);
    if (sa !== undefined) part.a = sa;
    if (sb !== undefined) part.b = sb;
    if (index !== NULL_LEVEL) {
      const tfAdjustment = tfAdjustmentOf(cm, index, a, model, tf);
      part.weight = levelWeight(cm.levels[index]) + (tfAdjustment ?? 0);
      if (tfAdjustment !== undefined) part.tfAdjustment = tfAdjustment;
    }
    weight += part.weight;
    parts.push(part);
  }
  return { weight, probability: weightToProbability(weight), parts };
}

/** The same weight as scorePair without building the explanation: for scanning many candidates. */
export function pairWeight(a: Person, b: Person, model: MatchModel, tf?: TermFrequencies): number {
  let weight = priorWeight(model);
  for (const cm of model.comparisons) {
    const index = COMPARISONS[cm.name].compare(a, b);
    if (index === NULL_LEVEL) continue;
    weight += levelWeight(cm.levels[index]) + (tfAdjustmentOf(cm, index, a, model, tf) ?? 0);
  }
  return weight;
}

export function priorWeight(model: MatchModel): number {
  return Math.log2(model.prior / (1 - model.prior));
}

function levelWeight(level: LevelModel): number {
  return Math.log2(level.m / level.u);
}

function tfAdjustmentOf(cm: MatchModel['comparisons'][number], index: number, a: Person, model: MatchModel, tf?: TermFrequencies): number | undefined {
  const level = cm.levels[index];
  const term = COMPARISONS[cm.name].term;
  if (!level.tfAdjust || !tf || !term) return undefined;
  const value = term(a);
  const freq = value !== undefined ? tf[cm.name]?.get(value) : undefined;
  return freq === undefined ? undefined : Math.log2(level.u / Math.max(freq, model.tfMinimumU));
}

export interface GoldenScore extends PairScore {
  /** Index in `goldenSources` of the source that gave each part's evidence (parallel to parts; -1 for the prior). */
  sourceIndex: number[];
}

/** How evidence is pooled over a golden record's sources. */
export const GOLDEN_EVIDENCE = ['best-pair', 'best-per-comparison'] as const;
export type GoldenEvidence = (typeof GOLDEN_EVIDENCE)[number];

/**
 * Evidence of a record against a golden record, never against a chain of pairs. 'best-pair' (default)
 * is the best single source; 'best-per-comparison' takes each comparison's strongest agreement from
 * any source, as if the golden record carried every value its sources have.
 */
export function scoreAgainstGolden(
  record: Person,
  goldenSources: readonly Person[],
  model: MatchModel,
  tf?: TermFrequencies,
  evidence: GoldenEvidence = 'best-pair',
): GoldenScore | undefined {
  if (goldenSources.length === 0) return undefined;
  const scores = goldenSources.map((s) => scorePair(record, s, model, tf));
  if (evidence === 'best-pair') {
    let best = 0;
    scores.forEach((s, i) => (best = s.weight > scores[best].weight ? i : best));
    return { ...scores[best], sourceIndex: scores[best].parts.map((_, k) => (k === 0 ? -1 : best)) };
  }
  const sourceIndex: number[] = [-1];
  const parts = scores[0].parts.map((part, k) => {
    if (k === 0) return part;
    let best = 0;
    scores.forEach((s, i) => (best = s.parts[k].weight > scores[best].parts[k].weight ? i : best));
    sourceIndex.push(best);
    return scores[best].parts[k];
  });
  const weight = parts.reduce((sum, p) => sum + p.weight, 0);
  return { weight, probability: weightToProbability(weight), parts, sourceIndex };
}

/** Fast weight-only version of scoreAgainstGolden for scanning candidate goldens. */
export function goldenWeight(record: Person, goldenSources: readonly Person[], model: MatchModel, tf: TermFrequencies | undefined, evidence: GoldenEvidence): number {
  if (evidence === 'best-pair') return Math.max(...goldenSources.map((s) => pairWeight(record, s, model, tf)));
  let weight = priorWeight(model);
  for (const cm of model.comparisons) {
    const comparison = COMPARISONS[cm.name];
    let best = Number.NEGATIVE_INFINITY;
    for (const s of goldenSources) {
      const index = comparison.compare(record, s);
      const w = index === NULL_LEVEL ? 0 : levelWeight(cm.levels[index]) + (tfAdjustmentOf(cm, index, record, model, tf) ?? 0);
      if (w > best) best = w;
    }
    weight += best;
  }
  return weight;
}
