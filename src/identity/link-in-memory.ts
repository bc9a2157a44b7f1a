import { LINK_RULES, type BlockingRule } from './blocking.js';
import { gradeScore } from './decision.js';
import { thresholdWeight, type MatchModel } from './model.js';
import type { Person } from './person.js';
import { goldenWeight, scoreAgainstGolden, type GoldenEvidence } from './scoring.js';
import type { TermFrequencies } from './term-frequencies.js';

export interface InMemoryLinkOptions {
  tf?: TermFrequencies;
  rules?: readonly BlockingRule[];
  /** Keys shared by more earlier records than this are ignored (candidate-explosion guard). */
  maxBlockSize?: number;
  evidence?: GoldenEvidence;
}

export interface InMemoryLinkResult {
  /** Cluster (golden record) number of each input record. */
  clusterOf: number[];
  matched: number;
  /** Records between the thresholds: they would wait in the review queue as POSSIBLE_MATCH. */
  reviewQueue: number;
  newClusters: number;
  /** Records that matched two clusters above the threshold: POSSIBLE_DUPLICATE, never merged. */
  possibleDuplicates: number;
  /** Record × source comparisons performed. */
  comparisons: number;
}

/**
 * Reference linker for evaluation: each record, in order, is scored against the sources of the
 * clusters its blocking keys reach; best cluster at or above the match grade → linked; possible →
 * review queue (kept apart); else a new cluster. Clusters are never merged with each other.
 */
export function linkInMemory(records: readonly Person[], model: MatchModel, opts: InMemoryLinkOptions = {}): InMemoryLinkResult {
  const rules = opts.rules ?? LINK_RULES;
  const maxBlock = opts.maxBlockSize ?? 200;
  const evidence = opts.evidence ?? 'best-pair';
  const matchWeight = thresholdWeight(model.thresholds.match);
  const index = new Map<string, number[]>();
  const members: number[][] = [];
  const clusterOf: number[] = [];
  const out = { matched: 0, reviewQueue: 0, newClusters: 0, possibleDuplicates: 0, comparisons: 0 };
  records.forEach((record, i) => {
    const keys = rules.map((r) => r.key(record)).map((k, r) => (k ? `${r}:${k}` : undefined)).filter((k): k is string => k !== undefined);
    const candidates = new Set<number>();
    for (const k of keys) {
      const bucket = index.get(k);
      if (bucket && bucket.length <= maxBlock) for (const j of bucket) candidates.add(clusterOf[j]);
    }
    let best = -1;
    let bestWeight = -Infinity;
    let strong = 0;
    for (const c of candidates) {
      const w = goldenWeight(record, members[c].map((j) => records[j]), model, opts.tf, evidence);
      out.comparisons += members[c].length;
      if (w >= matchWeight) strong++;
      if (w > bestWeight) [best, bestWeight] = [c, w];
    }
    let cluster = -1;
    if (best >= 0) {
      const score = scoreAgainstGolden(record, members[best].map((j) => records[j]), model, opts.tf, evidence);
      const grade = score ? gradeScore(score, record, model) : 'no-match';
      if (grade === 'match') {
        cluster = best;
        out.matched++;
        if (strong > 1) out.possibleDuplicates++;
      } else if (grade === 'possible') out.reviewQueue++;
    }
    if (cluster < 0) {
      cluster = members.length;
      members.push([]);
      out.newClusters++;
    }
    members[cluster].push(i);
    clusterOf.push(cluster);
    for (const k of keys) {
      const bucket = index.get(k);
      if (bucket) bucket.push(i);
      else index.set(k, [i]);
    }
  });
  return { clusterOf, ...out };
}
