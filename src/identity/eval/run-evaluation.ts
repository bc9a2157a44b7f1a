import { TRAINING_RULES } from '../blocking.js';
import { evaluateClusters, type LinkageMetrics } from '../evaluate.js';
import { linkInMemory, type InMemoryLinkResult } from '../link-in-memory.js';
import type { MatchModel } from '../model.js';
import type { GoldenEvidence } from '../scoring.js';
import { personFromPatient, type IdentityReference } from '../person.js';
import { seededRandom, shuffled } from '../random.js';
import { buildTermFrequencies } from '../term-frequencies.js';
import { trainModel, type TrainingOptions } from '../train.js';
import type { LabelledPatient } from './labelled.js';

export interface EvaluationOptions {
  /** Train from the unlabelled records first (u random pairs, m by EM); false = use `start` as is. */
  train: Omit<TrainingOptions, 'blockingRules'> | false;
  /** Arrival order: shuffled with this seed, or file order when absent. */
  shuffleSeed?: number;
  termFrequencies?: boolean;
  evidence?: GoldenEvidence;
}

export interface EvaluationRun {
  dataset: string;
  modelVersion: string;
  prior: number;
  metrics: LinkageMetrics;
  link: Omit<InMemoryLinkResult, 'clusterOf'>;
  trainSeconds: number;
  linkSeconds: number;
  recordsPerSecond: number;
}

/** Normalise, optionally train, link in memory and score one labelled dataset. */
export function runEvaluation(dataset: string, labelled: readonly LabelledPatient[], ref: IdentityReference, start: MatchModel, opts: EvaluationOptions): EvaluationRun & { model: MatchModel } {
  const ordered = opts.shuffleSeed === undefined ? [...labelled] : shuffled(labelled, seededRandom(opts.shuffleSeed));
  const persons = ordered.map((l) => personFromPatient(l.patient, ref));
  const t0 = performance.now();
  const model = opts.train ? trainModel(persons, { ...opts.train, blockingRules: TRAINING_RULES }, start) : start;
  const t1 = performance.now();
  const tf = opts.termFrequencies === false ? undefined : buildTermFrequencies(persons);
  const { clusterOf, ...link } = linkInMemory(persons, model, { ...(tf ? { tf } : {}), ...(opts.evidence ? { evidence: opts.evidence } : {}) });
  const t2 = performance.now();
  return {
    dataset,
    modelVersion: model.version,
    prior: model.prior,
    model,
    metrics: evaluateClusters(
      ordered.map((l) => l.truth),
      clusterOf,
    ),
    link,
    trainSeconds: (t1 - t0) / 1000,
    linkSeconds: (t2 - t1) / 1000,
    recordsPerSecond: persons.length / ((t2 - t1) / 1000),
  };
}
