/** Shared planning state: the draft list, id counters and each sender's timestamp habit. */
import type { Rng } from './random.js';
import type { ClinicalState } from './clinical.js';
import type { VisitInfo } from './segments.js';
import type { Demographics, Draft, Facility, RecordRef } from './types.js';

/**
 * Share of messages each sender writes with an explicit UTC offset; the rest carry bare local time,
 * as many real interfaces do, so consumers must apply the facility's zone.
 */
const OFFSET_HABIT: Readonly<Record<Facility, number>> = { NORTH: 0.85, SOUTH: 0.15, LAB: 0.5, RAD: 1 };

export interface SimContext {
  readonly drafts: Draft[];
  nextId(kind: string): number;
  add(rng: Rng, draft: Omit<Draft, 'order' | 'withOffset'>): Draft;
}

export function createContext(): SimContext {
  const drafts: Draft[] = [];
  const counters = new Map<string, number>();
  return {
    drafts,
    nextId(kind) {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      return n;
    },
    add(rng, draft) {
      const full: Draft = { ...draft, order: drafts.length, withOffset: rng.chance(OFFSET_HABIT[draft.facility]) };
      drafts.push(full);
      return full;
    },
  };
}

/** What a message builder needs to know about the patient at the moment of sending. */
export interface PatientView {
  personId: string;
  /** PID-3 repetitions; the first is the record the message is filed under. */
  ids: readonly RecordRef[];
  demographics: Demographics;
  visit: VisitInfo;
  state: ClinicalState;
}

export const recordKey = (p: PatientView): string => `${p.ids[0].system}|${p.ids[0].value}`;

/** Whole seconds: HL7 timestamps carry seconds, and truth must equal what the wire says. */
export const sec = (ms: number): number => Math.floor(ms / 1000) * 1000;
