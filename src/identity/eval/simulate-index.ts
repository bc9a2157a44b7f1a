import { LINK_RULES } from '../blocking.js';
import { decideLink, hasPlaceholderName, type IdentifierHit, type LinkRule, type ScoredGolden } from '../link-decision.js';
import { thresholdWeight, type MatchModel } from '../model.js';
import type { Person } from '../person.js';
import { goldenWeight, scoreAgainstGolden } from '../scoring.js';
import { termFrequency, termsOf } from '../term-frequency.repository.js';
import type { TermFrequencies } from '../term-frequencies.js';

export interface SimulatedLink {
  golden: number;
  state: 'MATCH' | 'POSSIBLE_MATCH';
  rule: LinkRule;
  weight?: number;
}

export interface SimulationResult {
  links: SimulatedLink[];
  /** Record × source comparisons performed. */
  comparisons: number;
  /** POSSIBLE_DUPLICATE flags raised (golden pairs). */
  duplicateFlags: number;
}

export interface SimulationOptions {
  /** Blocks larger than this are skipped, as the database search does (identity-deps DEFAULT_MAX_BLOCK_SIZE). */
  cap: number;
  /** Identifier systems that identify a person on their own (survivorship `uniqueSystems`). */
  uniqueSystems?: ReadonlySet<string>;
}

/**
 * The production decision without the database, for tuning a model in seconds: each record, in
 * order, is blocked, scored against the MATCH sources of the goldens its candidates belong to,
 * with term frequencies counted so far (shrunk as the database does), and decided by the same
 * `decideLink`. A POSSIBLE_MATCH joins its golden for counting but lends it no evidence, as in
 * the database. The database run (bench/eval-identity.ts) remains the figure of record.
 */
export function simulateIndex(records: readonly Person[], model: MatchModel, opts: SimulationOptions): SimulationResult {
  const blocks = new Map<string, number[]>();
  const identifiers = new Map<string, number[]>();
  const termCounts = new Map<string, number>();
  const totals = new Map<string, number>();
  const matchMembers = new Map<number, number[]>();
  const links: SimulatedLink[] = [];
  const floor = thresholdWeight(model.thresholds.possible);
  const unique = opts.uniqueSystems ?? new Set<string>();
  let goldens = 0;
  let comparisons = 0;
  let duplicateFlags = 0;

  records.forEach((record, i) => {
    const keys = LINK_RULES.filter((r) => r.name !== 'identifier').flatMap((r) => {
      const k = r.key(record);
      return k ? [`${r.name}:${k}`] : [];
    });
    const candidateGoldens = new Set<number>();
    for (const k of keys) {
      const list = blocks.get(k);
      if (list && list.length <= opts.cap) for (const j of list) candidateGoldens.add((links[j] as SimulatedLink).golden);
    }
    const bySystem = new Map<string, Set<number>>();
    for (const id of record.identifiers) {
      const list = identifiers.get(`${id.system}|${id.value}`) ?? [];
      if (list.length <= opts.cap) for (const j of list) candidateGoldens.add((links[j] as SimulatedLink).golden);
      for (const j of list) {
        const l = links[j] as SimulatedLink;
        if (l.state !== 'MATCH') continue;
        bySystem.set(id.system, (bySystem.get(id.system) ?? new Set()).add(l.golden));
      }
    }
    const hits: IdentifierHit[] = [...bySystem].map(([system, g]) => ({ system, unique: unique.has(system), goldenIds: [...g].map(String) }));

    const tf: Record<string, ReadonlyMap<string, number>> = {};
    for (const [name, term] of termsOf(record, model)) {
      const u = model.comparisons.find((c) => c.name === name)?.levels.find((l) => l.tfAdjust)?.u ?? 0;
      tf[name] = new Map([[term, termFrequency(termCounts.get(`${name}|${term}`) ?? 0, totals.get(name) ?? 0, u)]]);
    }

    const scored: ScoredGolden[] = [];
    const placeholderGoldens = new Set<string>();
    for (const g of candidateGoldens) {
      const members = (matchMembers.get(g) ?? []).map((j) => records[j] as Person);
      if (!members.length) continue;
      comparisons += members.length;
      if (members.every(hasPlaceholderName)) placeholderGoldens.add(String(g));
      const forced = hits.some((h) => h.goldenIds.includes(String(g)));
      if (goldenWeight(record, members, model, tf as TermFrequencies, 'best-pair') < floor && !forced) continue;
      const score = scoreAgainstGolden(record, members, model, tf as TermFrequencies);
      if (score) scored.push({ goldenId: String(g), score });
    }
    const plan = decideLink({ record, model, scored, identifierHits: hits, placeholderGoldens });
    const golden = plan.goldenId === undefined ? goldens++ : Number(plan.goldenId);
    duplicateFlags += plan.duplicates.length;
    links.push({ golden, state: plan.state, rule: plan.rule, ...(plan.score ? { weight: plan.score.weight } : {}) });
    if (plan.state === 'MATCH') pushTo(matchMembers, golden, i);

    for (const k of keys) pushTo(blocks, k, i);
    for (const id of record.identifiers) pushTo(identifiers, `${id.system}|${id.value}`, i);
    for (const [name, term] of termsOf(record, model)) {
      termCounts.set(`${name}|${term}`, (termCounts.get(`${name}|${term}`) ?? 0) + 1);
      totals.set(name, (totals.get(name) ?? 0) + 1);
    }
  });
  return { links, comparisons, duplicateFlags };
}

function pushTo<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
