/**
 * Orchestration: plan every person (O(patients)), put drafts in send order, then assign control ids
 * and render. Rendering happens after sorting so MSH-10 increases with send time per sender, the
 * way a real interface engine numbers messages.
 */
import { createRng } from './random.js';
import { hl7Ts, iso } from './time.js';
import { createContext } from './context.js';
import { planPerson, type Collector } from './plan-person.js';
import type { Draft, RenderContext, SimMessage, SimTruth, SimulateOptions, SimulateResult, TruthFact } from './types.js';

export const DEFAULT_START = '2026-01-05T00:00:00Z';

function normalize(opts: SimulateOptions): Required<SimulateOptions> {
  const start = opts.start ?? DEFAULT_START;
  const problems: string[] = [];
  if (!Number.isInteger(opts.patients) || opts.patients < 1) problems.push('patients must be a positive integer');
  if (!(opts.days > 0)) problems.push('days must be positive');
  if (!Number.isInteger(opts.seed)) problems.push('seed must be an integer');
  if (Number.isNaN(Date.parse(start))) problems.push(`start is not an ISO instant: ${start}`);
  if (problems.length) throw new RangeError(`simulateHospital: ${problems.join('; ')}`);
  return { patients: opts.patients, days: opts.days, seed: opts.seed, start };
}

/** Generates a deterministic hospital feed and the ground truth behind it. */
export function simulateHospital(options: SimulateOptions): SimulateResult {
  const opts = normalize(options);
  const root = createRng(opts.seed);
  const sim = createContext();
  const out: Collector = { persons: [], records: [], encounters: [], merges: [] };
  const window = { startMs: Date.parse(opts.start), days: opts.days };
  for (let i = 0; i < opts.patients; i++) planPerson(sim, root.fork(`person-${i}`), i, window, out);

  const drafts = [...sim.drafts].sort((a, b) => a.sentAtMs - b.sentAtMs || a.order - b.order);
  const counters = new Map<string, number>();
  const controlIds = new Map<Draft, string>();
  for (const d of drafts) {
    const n = (counters.get(d.facility) ?? 0) + 1;
    counters.set(d.facility, n);
    controlIds.set(d, `${d.facility}${String(n).padStart(8, '0')}`);
  }
  const controlIdOf = (d: Draft): string => controlIds.get(d) ?? '';

  const messages: SimMessage[] = [];
  const facts: TruthFact[] = [];
  for (const d of drafts) {
    const controlId = controlIdOf(d);
    const ctx: RenderContext = { controlId, ts: (ms) => hl7Ts(ms, d.withOffset), controlIdOf };
    const sentAt = iso(d.sentAtMs);
    messages.push({ seq: messages.length + 1, sentAt, facility: d.facility, type: d.type, controlId, text: `${d.render(ctx).join('\r')}\r`, personId: d.personId });
    const correctionOf = d.correctionOf ? controlIdOf(d.correctionOf) : undefined;
    for (const f of d.facts) {
      // Facts are the bulk of memory at scale; fill in place rather than copy.
      const fact = f as TruthFact;
      fact.sentAt = sentAt;
      fact.controlId = controlId;
      if (correctionOf) fact.correctionOf = correctionOf;
      facts.push(fact);
    }
  }

  const truth: SimTruth = {
    options: opts,
    persons: out.persons,
    records: out.records,
    facts,
    merges: out.merges.map(({ merge, draft }) => ({ ...merge, sentAt: iso(draft.sentAtMs), controlId: controlIdOf(draft) })),
    encounters: out.encounters,
  };
  return { messages, truth };
}
