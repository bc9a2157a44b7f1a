import { NAME_COMPARISONS } from './comparisons/registry.js';
import { thresholdWeight, type MatchModel } from './model.js';
import { hasLinkableEvidence } from './placeholder.js';
import type { Person } from './person.js';
import type { PairScore } from './scoring.js';

export const MATCH_GRADES = ['match', 'possible', 'no-match'] as const;
export type MatchGrade = (typeof MATCH_GRADES)[number];

/** Bayes factor 4: gender agreement (≈ 1 bit) is not corroboration. */
const CORROBORATION_WEIGHT = 2;
const NAME_PARTS: ReadonlySet<string> = new Set(NAME_COMPARISONS);

/**
 * Grade a score against the model's thresholds. An automatic match also needs a record with
 * usable evidence and at least one agreeing non-name comparison: names alone (however rare)
 * may reach review, never a link.
 */
export function gradeScore(score: PairScore, record: Person, model: MatchModel): MatchGrade {
  if (score.weight >= thresholdWeight(model.thresholds.match)) {
    const corroborated = score.parts.some((p) => p.comparison !== 'prior' && !NAME_PARTS.has(p.comparison) && p.weight >= CORROBORATION_WEIGHT);
    return corroborated && hasLinkableEvidence(record) ? 'match' : 'possible';
  }
  return score.weight >= thresholdWeight(model.thresholds.possible) ? 'possible' : 'no-match';
}
