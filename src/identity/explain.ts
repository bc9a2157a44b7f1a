import type { Db } from '../db/database.js';
import { OperationOutcomeError } from '../fhir/outcomes.js';
import { gradeScore, type MatchGrade } from './decision.js';
import type { IdentityDeps } from './identity-deps.js';
import { matchMembers } from './link-store.js';
import type { Person } from './person.js';
import { scoreAgainstGolden, scorePair, type ScorePart } from './scoring.js';
import { readTermFrequencies } from './term-frequency.repository.js';

export interface PairExplanation {
  a: string;
  b: string;
  /** 'source' or 'golden' for each side. */
  kinds: [string, string];
  weight: number;
  probability: number;
  grade: MatchGrade;
  /** Fields of each side dropped as placeholders (Baby Boy, a future birth date): why a part is null. */
  dropped: [string[], string[]];
  /** The waterfall: the prior first, then each comparison's level and weight; weights sum to `weight`. */
  parts: (ScorePart & { source?: string })[];
}

async function sourcePerson(db: Db, id: string): Promise<Person | undefined> {
  const row = await db.selectFrom('mpi_source').select('person').where('id', '=', id).executeTakeFirst();
  return row?.person as Person | undefined;
}

/**
 * Explain two records: two source ids (pair score), or a source and a golden id (the source
 * against the golden's current MATCH sources, each part naming the source that gave it).
 */
export async function explainPair(db: Db, a: string, b: string, deps: Pick<IdentityDeps, 'model'>): Promise<PairExplanation> {
  let left = await sourcePerson(db, a);
  let [x, y] = [a, b];
  if (!left) {
    // Golden first: swap so the source is always the record being scored.
    left = await sourcePerson(db, b);
    [x, y] = [b, a];
  }
  if (!left) throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', details: { text: `neither ${a} nor ${b} is a source record of the index` } }] });
  const tf = await readTermFrequencies(db, left, deps.model);
  const right = await sourcePerson(db, y);
  if (right) {
    const s = scorePair(left, right, deps.model, tf);
    return { a: x, b: y, kinds: ['source', 'source'], weight: s.weight, probability: s.probability, grade: gradeScore(s, left, deps.model), dropped: [left.dropped ?? [], right.dropped ?? []], parts: s.parts };
  }
  const members = (await matchMembers(db, [y], x)).get(y) ?? [];
  const s = scoreAgainstGolden(left, members.map((m) => m.person), deps.model, tf);
  if (!s) throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', details: { text: `${y} is neither a source nor a golden record with other MATCH sources` } }] });
  const parts = s.parts.map((p, k) => ({ ...p, ...(members[s.sourceIndex[k] ?? -1] ? { source: members[s.sourceIndex[k] as number]?.id } : {}) }));
  const goldenDropped = [...new Set(members.flatMap((m) => m.person.dropped ?? []))];
  return { a: x, b: y, kinds: ['source', 'golden'], weight: s.weight, probability: s.probability, grade: gradeScore(s, left, deps.model), dropped: [left.dropped ?? [], goldenDropped], parts };
}
