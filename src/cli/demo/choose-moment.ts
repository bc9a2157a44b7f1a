import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import type { SimTruth } from '../../simulate/index.js';

export interface Moment {
  /** `SYSTEM|VALUE` of the record the person was first registered under, as the index stores it. */
  identifier: string;
  personId: string;
  indexTime: string;
}

/** How many candidate bundles the demo builds at most (each is one as-of query). */
export const MAX_CANDIDATES = 40;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Candidate moments: one hour after each laboratory sample of each person (rounded up to the
 * minute), when the result is often still pending while the vitals and history are already known.
 * Persons in simulation order, times in clinical order, at most MAX_CANDIDATES.
 */
export function candidateMoments(truth: SimTruth, identifierSystem: (authority: string) => string): Moment[] {
  const out: Moment[] = [];
  for (const person of truth.persons) {
    const record = truth.records.find((r) => r.personId === person.personId && !r.duplicate);
    if (!record) continue;
    const times = truth.facts
      .filter((f) => f.personId === person.personId && f.modality === 'labs')
      .map((f) => Math.ceil((Date.parse(f.clinicalTime) + HOUR_MS) / MINUTE_MS) * MINUTE_MS);
    for (const ms of [...new Set(times)].sort((a, b) => a - b)) {
      out.push({ identifier: `${identifierSystem(record.system)}|${record.value}`, personId: person.personId, indexTime: new Date(ms).toISOString() });
      if (out.length >= MAX_CANDIDATES) return out;
    }
  }
  return out;
}

/** What the demo judges a candidate by: its bundle and the model's answer over it. */
export interface Evaluated {
  bundle: AlignedBundle;
  modelInputsPresent: number;
}

function rank(e: Evaluated): number[] {
  const present = e.bundle.modalities.filter((m) => m.status === 'present').length;
  const pending = e.bundle.modalities.some((m) => m.status === 'pending' || m.pendingCount > 0) ? 1 : 0;
  return [e.modelInputsPresent, present, pending];
}

const better = (a: number[], b: number[]): boolean => {
  for (let i = 0; i < a.length; i++) if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) > (b[i] as number);
  return false;
};

/**
 * The rule the demo prints its patient and moment by: among candidates whose bundle has at least
 * one modality pending, stale or absent, the most model inputs present, then the most modalities
 * present, then one with a pending result, then the earliest candidate. Deterministic for a seed
 * because the candidates are.
 */
export async function chooseMoment<T extends Evaluated>(candidates: readonly Moment[], evaluate: (m: Moment) => Promise<T | undefined>): Promise<{ moment: Moment; result: T } | undefined> {
  let best: { moment: Moment; result: T; score: number[] } | undefined;
  for (const moment of candidates) {
    const result = await evaluate(moment);
    if (!result || !result.bundle.modalities.some((m) => ['pending', 'stale', 'absent'].includes(m.status))) continue;
    const score = rank(result);
    if (!best || better(score, best.score)) best = { moment, result, score };
  }
  return best && { moment: best.moment, result: best.result };
}
