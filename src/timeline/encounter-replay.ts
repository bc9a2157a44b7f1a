import { applyEncounterEvent, type EncounterInput, type EncounterState, type EncounterStatus } from './encounter-state.js';

/** One logged ADT event with its two clocks: clinical time `at` and `knownAt`; `seq` is arrival order. */
export interface LoggedEncounterEvent extends EncounterInput {
  knownAt: string;
  seq: number;
}

export interface EncounterVerdict {
  seq: number;
  accepted: boolean;
  problem?: string;
  from?: EncounterStatus;
  to?: EncounterStatus;
}

/** One encounter as it was known from `knownFrom` until `knownTo` (absent: still the latest). */
export interface EncounterVersion {
  knownFrom: string;
  knownTo?: string;
  state: EncounterState;
}

const ms = (s: string): number => Date.parse(s);

/**
 * Events in the order they happened: clinical time, then when they became known, then arrival.
 * A cancel (A11/A12/A13) usually carries the time of the event it cancels, and was known after it,
 * so it lands right after it; an A02 that arrives after the A03 still slots in before it.
 */
export function clinicalOrder(a: LoggedEncounterEvent, b: LoggedEncounterEvent): number {
  return ms(a.at) - ms(b.at) || ms(a.knownAt) - ms(b.knownAt) || a.seq - b.seq;
}

/**
 * Fold every event known so far in clinical order. Pure; each event gets the verdict it has in that
 * order, so an event rejected on arrival (a discharge before its admit) is accepted once the
 * late admit is known.
 */
export function replayEncounter(events: readonly LoggedEncounterEvent[]): { state?: EncounterState; verdicts: EncounterVerdict[] } {
  let state: EncounterState | undefined;
  const verdicts: EncounterVerdict[] = [];
  for (const e of [...events].sort(clinicalOrder)) {
    const t = applyEncounterEvent(state, e);
    const from = state?.status;
    if (t.ok) state = t.state;
    verdicts.push({ seq: e.seq, accepted: t.ok, ...(t.ok ? {} : { problem: t.problem }), ...(from ? { from } : {}), ...(state ? { to: state.status } : {}) });
  }
  return { ...(state ? { state } : {}), verdicts };
}

/**
 * The encounter's system-time history: at every instant an event became known, the state that all
 * events known by then give. Consecutive equal states are one version; while nothing valid was known
 * (only a discharge, say) there is no version.
 */
export function encounterVersions(events: readonly LoggedEncounterEvent[]): EncounterVersion[] {
  const instants = [...new Set(events.map((e) => ms(e.knownAt)))].sort((a, b) => a - b);
  const out: EncounterVersion[] = [];
  let last: string | undefined;
  for (const k of instants) {
    const { state } = replayEncounter(events.filter((e) => ms(e.knownAt) <= k));
    const key = state ? JSON.stringify(state) : undefined;
    if (key === last) continue;
    const at = new Date(k).toISOString();
    const prev = out[out.length - 1];
    if (prev && prev.knownTo === undefined) prev.knownTo = at;
    if (state) out.push({ knownFrom: at, state });
    last = key;
  }
  return out;
}
