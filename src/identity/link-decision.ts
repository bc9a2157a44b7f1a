import { gradeScore, type MatchGrade } from './decision.js';
import { thresholdWeight, type MatchModel } from './model.js';
import type { Person } from './person.js';
import type { PairScore } from './scoring.js';

/** Which rule decided a link: stored on the link row and returned to callers. */
export const LINK_RULES_APPLIED = [
  'unique-identifier',
  'unique-identifier-conflict',
  'identifier',
  'identifier-disagrees',
  'probabilistic',
  'probabilistic-review',
  'probabilistic-duplicate',
  'placeholder-review',
  'new',
  'manual-kept',
] as const;
export type LinkRule = (typeof LINK_RULES_APPLIED)[number];

export interface ScoredGolden {
  goldenId: string;
  score: PairScore;
}

export interface IdentifierHit {
  system: string;
  unique: boolean;
  /** Goldens whose current MATCH sources carry the same system and value. */
  goldenIds: readonly string[];
}

export interface LinkInput {
  record: Person;
  model: MatchModel;
  /** Candidate goldens scored against their MATCH sources; do-not-match goldens already removed. */
  scored: readonly ScoredGolden[];
  identifierHits: readonly IdentifierHit[];
  /** Goldens whose every MATCH source had a placeholder name (Baby Boy, John Doe, UNKNOWN). */
  placeholderGoldens?: ReadonlySet<string>;
}

const NAME_DROPS: ReadonlySet<string> = new Set(['name', 'given', 'family']);

/** A placeholder name means the identity is not established yet: twins share family, birth date and gender. */
export function hasPlaceholderName(p: Person): boolean {
  return (p.dropped ?? []).some((d) => NAME_DROPS.has(d));
}

export interface LinkPlan {
  /** undefined: a new golden record. */
  goldenId?: string;
  state: 'MATCH' | 'POSSIBLE_MATCH';
  rule: LinkRule;
  score?: PairScore;
  grade?: MatchGrade;
  /** Goldens to flag POSSIBLE_DUPLICATE with `goldenId` (never merged by the machine). */
  duplicates: string[];
}

/**
 * The decision of the index, pure: identifier rules first (a unique system links outright; one
 * unique value on two goldens is a conflict for review), then Fellegi–Sunter against golden
 * records (never against chains of pairs): one corroborated match → MATCH; two → POSSIBLE_MATCH
 * to the best plus POSSIBLE_DUPLICATE; between the thresholds → POSSIBLE_MATCH; else a new golden.
 */
export function decideLink(input: LinkInput): LinkPlan {
  const plan = decideWithoutPlaceholderGuard(input);
  const placeholder = hasPlaceholderName(input.record) || (plan.goldenId !== undefined && input.placeholderGoldens?.has(plan.goldenId));
  if (plan.state === 'MATCH' && plan.goldenId && placeholder && plan.rule !== 'unique-identifier') return { ...plan, state: 'POSSIBLE_MATCH', rule: 'placeholder-review' };
  return plan;
}

function decideWithoutPlaceholderGuard(input: LinkInput): LinkPlan {
  const { record, model } = input;
  const ranked = [...input.scored].sort((a, b) => b.score.weight - a.score.weight || a.goldenId.localeCompare(b.goldenId));
  const scoreOf = (g: string) => ranked.find((s) => s.goldenId === g)?.score;
  const bestOf = (ids: readonly string[]) => [...ids].sort((a, b) => (scoreOf(b)?.weight ?? -Infinity) - (scoreOf(a)?.weight ?? -Infinity) || a.localeCompare(b))[0] as string;
  const withScore = (goldenId: string) => {
    const score = scoreOf(goldenId);
    return score ? { score, grade: gradeScore(score, record, model) } : {};
  };

  const unique = [...new Set(input.identifierHits.filter((h) => h.unique).flatMap((h) => h.goldenIds))];
  if (unique.length === 1) return { goldenId: unique[0], state: 'MATCH', rule: 'unique-identifier', duplicates: [], ...withScore(unique[0] as string) };
  if (unique.length > 1) {
    const best = bestOf(unique);
    return { goldenId: best, state: 'POSSIBLE_MATCH', rule: 'unique-identifier-conflict', duplicates: unique.filter((g) => g !== best), ...withScore(best) };
  }

  const shared = [...new Set(input.identifierHits.flatMap((h) => h.goldenIds))].filter((g) => scoreOf(g));
  if (shared.length === 1) {
    // Same assigning authority and value: the same person, unless the demographics say no at all
    // (a mistyped MRN is a classic overlay), which goes to review instead.
    const goldenId = shared[0] as string;
    const scored = withScore(goldenId);
    const agrees = (scored.score?.weight ?? -Infinity) >= thresholdWeight(model.thresholds.possible);
    return { goldenId, state: agrees ? 'MATCH' : 'POSSIBLE_MATCH', rule: agrees ? 'identifier' : 'identifier-disagrees', duplicates: [], ...scored };
  }

  const graded = ranked.map((s) => ({ ...s, grade: gradeScore(s.score, record, model) }));
  const strong = graded.filter((g) => g.grade === 'match');
  const best = graded[0];
  if (!best || best.grade === 'no-match') return { state: 'MATCH', rule: 'new', duplicates: [] };
  if (strong.length > 1) {
    const first = strong[0] as (typeof strong)[number];
    return { goldenId: first.goldenId, state: 'POSSIBLE_MATCH', rule: 'probabilistic-duplicate', score: first.score, grade: first.grade, duplicates: strong.slice(1).map((s) => s.goldenId) };
  }
  if (best.grade === 'match') return { goldenId: best.goldenId, state: 'MATCH', rule: 'probabilistic', score: best.score, grade: best.grade, duplicates: [] };
  return { goldenId: best.goldenId, state: 'POSSIBLE_MATCH', rule: 'probabilistic-review', score: best.score, grade: best.grade, duplicates: [] };
}
