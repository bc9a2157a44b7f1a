import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { ownBlockKeys, sourceKeyColumns } from './blocking.sql.js';
import { identifierKey, searchBlocks, termKey, type IndexSnapshot } from './bulk-snapshot.js';
import type { ComparisonName } from './comparisons/registry.js';
import { uniqueSystems, type SurvivorshipProfile } from './golden-record.js';
import type { IdentityDeps } from './identity-deps.js';
import { decideLink, hasPlaceholderName, type IdentifierHit, type ScoredGolden } from './link-decision.js';
import type { NewLink } from './link-store.js';
import { thresholdWeight } from './model.js';
import { explanationOf, type LinkDecision } from './patient-index.repository.js';
import type { Person } from './person.js';
import { goldenWeight, scoreAgainstGolden, type GoldenScore } from './scoring.js';
import type { TermFrequencies } from './term-frequencies.js';
import { adjustedComparisons, termFrequency, termsOf, totalShardOf } from './term-frequency.repository.js';

/** A source new to the index (its id is in neither mpi_source nor earlier in the batch). */
export interface BulkRecord {
  id: string;
  patient: Patient;
  person: Person;
}

/** Everything a batch decided, to be written in a few multi-row statements (bulk-write.ts). */
export interface BulkPlan {
  records: readonly BulkRecord[];
  decisions: LinkDecision[];
  /** Source links and POSSIBLE_DUPLICATE flags in the order the one-at-a-time path inserts them. */
  links: NewLink[];
  newGoldens: string[];
  /** Golden id → how many times the one-at-a-time path would have rebuilt it (its version bumps). */
  rebuilds: Map<string, number>;
  /** Golden id → batch sources linked to it as MATCH. */
  batchMembers: Map<string, string[]>;
  /** `comparison|term` (and `comparison|#total:n`) → count delta. */
  termDeltas: Map<string, number>;
  skippedBlocks: number;
}

type Member = { id: string; person: Person };

/**
 * Link a batch of new sources in memory with the decisions indexSourcePatient would take for them
 * one at a time in this order: the same blocks and cap (the record counts in its own blocks), the
 * same term counts (the record included), candidate goldens, scores and decideLink. Earlier
 * records of the batch are visible to later ones exactly as committed rows would be.
 */
export function planBatch(records: readonly BulkRecord[], snapshot: IndexSnapshot, deps: IdentityDeps, profile: SurvivorshipProfile, cap: number): BulkPlan {
  const model = deps.model;
  const unique = uniqueSystems(profile);
  const floor = thresholdWeight(model.thresholds.possible);
  const adjusted = adjustedComparisons(model);
  const counts = snapshot.termCounts;
  const blocks = new Map<string, string[]>();
  const links = new Map<string, { goldenId: string; state: 'MATCH' | 'POSSIBLE_MATCH' }>();
  const members = new Map<string, Member[]>();
  const identifierGoldens = new Map<string, Set<string>>();
  const flags = new Set(snapshot.duplicateFlags);
  const plan: BulkPlan = { records, decisions: [], links: [], newGoldens: [], rebuilds: new Map(), batchMembers: new Map(), termDeltas: new Map(), skippedBlocks: 0 };
  // The snapshot's totals sit under `comparison|`; the rows written go to the source's shard.
  const count = (key: string, written: boolean) => {
    if (written) plan.termDeltas.set(key, (plan.termDeltas.get(key) ?? 0) + 1);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };

  for (const { id, person } of records) {
    const terms = termsOf(person, model);
    const shard = totalShardOf(id);
    for (const [comparison, term] of terms) {
      count(termKey(comparison, term), true);
      count(termKey(comparison, shard), true);
      count(termKey(comparison, ''), false);
    }
    const tf: Partial<Record<ComparisonName, ReadonlyMap<string, number>>> = {};
    for (const { name, u } of adjusted) {
      const term = terms.get(name);
      if (term) tf[name] = new Map([[term, termFrequency(counts.get(termKey(name, term)) ?? 0, counts.get(termKey(name, '')) ?? 0, u)]]);
    }

    const ownKeys = new Set([...ownBlockKeys(sourceKeyColumns(person)), ...person.identifiers.map((i) => identifierKey(i.system, i.value))]);
    const candidates = new Set<string>();
    let skipped = 0;
    for (const b of searchBlocks(person)) {
      const stored = snapshot.blocks.get(b.key) ?? [];
      const earlier = blocks.get(b.key) ?? [];
      if (stored.length + earlier.length + (ownKeys.has(b.key) ? 1 : 0) > cap) {
        skipped++;
        continue;
      }
      for (const s of stored) candidates.add(s);
      for (const s of earlier) candidates.add(s);
    }
    plan.skippedBlocks += skipped;

    const bySystem = new Map<string, Set<string>>();
    for (const i of person.identifiers) {
      const key = identifierKey(i.system, i.value);
      for (const g of [...(snapshot.identifierGoldens.get(key) ?? []), ...(identifierGoldens.get(key) ?? [])]) {
        const set = bySystem.get(i.system) ?? new Set<string>();
        set.add(g);
        bySystem.set(i.system, set);
      }
    }
    const hits: IdentifierHit[] = [...bySystem].map(([system, goldens]) => ({ system, unique: unique.has(system), goldenIds: [...goldens] }));

    const goldenIds = new Set<string>();
    for (const s of candidates) {
      const link = links.get(s) ?? snapshot.links.get(s);
      if (link) goldenIds.add(link.goldenId);
    }
    for (const h of hits) for (const g of h.goldenIds) goldenIds.add(g);
    const candidateMembers = new Map<string, Member[]>();
    for (const g of goldenIds) {
      const stored = snapshot.members.get(g) ?? [];
      const added = members.get(g) ?? [];
      const list = added.length ? [...stored, ...added].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : stored;
      if (list.length) candidateMembers.set(g, list);
    }

    const scored: ScoredGolden[] = [];
    for (const [goldenId, list] of candidateMembers) {
      const persons = list.map((m) => m.person);
      const fast = goldenWeight(person, persons, model, tf as TermFrequencies, 'best-pair');
      if (fast < floor && !hits.some((h) => h.goldenIds.includes(goldenId))) continue;
      const score = scoreAgainstGolden(person, persons, model, tf as TermFrequencies);
      if (score) scored.push({ goldenId, score });
    }
    const placeholderGoldens = new Set([...candidateMembers].filter(([, list]) => list.every((m) => hasPlaceholderName(m.person))).map(([g]) => g));
    const decided = decideLink({ record: person, model, scored, placeholderGoldens, identifierHits: hits });

    let goldenId = decided.goldenId;
    const newGolden = !goldenId;
    if (!goldenId) {
      goldenId = randomUUID();
      plan.newGoldens.push(goldenId);
    }
    const explanation = decided.score ? explanationOf(decided.score as GoldenScore, candidateMembers.get(goldenId) ?? []) : undefined;
    const scoreFields = decided.score ? { score: decided.score.weight, probability: decided.score.probability } : {};
    plan.links.push({ sourceId: id, goldenId, state: decided.state, how: 'AUTO', rule: decided.rule, ...scoreFields, ...(explanation ? { explanation } : {}) });
    plan.rebuilds.set(goldenId, (plan.rebuilds.get(goldenId) ?? 0) + 1);
    const flagged: string[] = [];
    for (const other of decided.duplicates) {
      if (other === goldenId) continue;
      const [g1, g2] = goldenId < other ? [goldenId, other] : [other, goldenId];
      if (flags.has(`${g1}|${g2}`)) continue;
      flags.add(`${g1}|${g2}`);
      plan.links.push({ sourceId: null, goldenId: g1, otherGoldenId: g2, state: 'POSSIBLE_DUPLICATE', how: 'AUTO', rule: decided.rule, ...scoreFields });
      flagged.push(other);
    }

    // From here on the record is what a committed row would be to the next one.
    for (const key of ownKeys) pushTo(blocks, key, id);
    links.set(id, { goldenId, state: decided.state });
    if (decided.state === 'MATCH') {
      pushTo(members, goldenId, { id, person });
      pushTo(plan.batchMembers, goldenId, id);
      for (const i of person.identifiers) {
        const key = identifierKey(i.system, i.value);
        const set = identifierGoldens.get(key) ?? new Set<string>();
        set.add(goldenId);
        identifierGoldens.set(key, set);
      }
    }
    plan.decisions.push({
      sourceId: id,
      goldenId,
      state: decided.state,
      how: 'AUTO',
      rule: decided.rule,
      ...(decided.score ? { weight: decided.score.weight, probability: decided.score.probability } : {}),
      ...(decided.grade ? { grade: decided.grade } : {}),
      newGolden,
      changed: true,
      possibleDuplicates: flagged,
      candidateGoldens: goldenIds.size,
      skippedBlocks: skipped,
    });
  }
  return plan;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
