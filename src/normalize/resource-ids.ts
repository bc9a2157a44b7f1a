import { createHash } from 'node:crypto';
import type { Hl7v2Message, Hl7v2Segment } from '../ingest/hl7v2/index.js';

/** What an id rule may look at: the segment, its message, and the nearest earlier segment of a kind. */
export interface IdScope {
  readonly message: Hl7v2Message;
  readonly segment: Hl7v2Segment;
  /** Nearest segment named `name` before this one, else the first in the message. */
  nearest(name: string): Hl7v2Segment | undefined;
}

/**
 * A deterministic FHIR id from source identifiers: sha256 of the parts, 32 hex chars (FHIR ids
 * allow 64 of [A-Za-z0-9.-]). The resource type is hashed in so a Patient and an Encounter with
 * the same number never collide.
 */
export function deterministicId(resourceType: string, parts: readonly string[]): string {
  return createHash('sha256').update([resourceType, ...parts].join('\u001f')).digest('hex').slice(0, 32);
}

/** `PID-3` first repetition with a type MR, else the first: assigning authority + id. */
export function patientKey(pid: Hl7v2Segment | undefined): string[] | undefined {
  if (!pid) return undefined;
  const reps = pid.field(3).repetitions;
  const cx = reps.find((r) => r.component(5) === 'MR' && r.component(1)) ?? reps.find((r) => r.component(1));
  if (!cx) return undefined;
  return [cx.component(4, 1) || cx.component(4, 2), cx.component(1)];
}

/** PV1-19 visit number with its authority, else the sending facility (visit numbers are per facility). */
function encounterKey(s: IdScope): string[] | undefined {
  const pv1 = s.segment.name === 'PV1' ? s.segment : s.nearest('PV1');
  const visit = pv1?.field(19);
  if (!visit?.component(1)) return undefined;
  return [visit.component(4, 1) || s.message.sendingFacility, visit.component(1)];
}

/** OBR-3 filler order number, else OBR-2 placer (both EI: id + namespace). */
function orderKey(obr: Hl7v2Segment | undefined): string[] | undefined {
  for (const n of [3, 2]) {
    const ei = obr?.field(n);
    if (ei?.component(1)) return [n === 3 ? 'filler' : 'placer', ei.component(2) || ei.component(3), ei.component(1)];
  }
  return undefined;
}

/**
 * A TX/FT OBX without OBX-3 continues the report text of the OBX before it (LinuxForHealth
 * ORU-multiline samples): it takes that OBX's identity, so the join step merges the lines.
 */
function continued(s: IdScope): Hl7v2Segment {
  const seg = s.segment;
  if (seg.field(3).component(1) || !['TX', 'FT'].includes(seg.field(2).component(1))) return seg;
  const earlier = s.message.segments('OBX').filter((o) => o.index < seg.index && o.field(3).component(1)).pop();
  const obr = s.message.segments('OBR').filter((o) => o.index < seg.index).pop();
  return earlier && (!obr || earlier.index > obr.index) ? earlier : seg;
}

const code = (s: Hl7v2Segment, n: number): string => `${s.field(n).component(3)}|${s.field(n).component(1)}`;

/** Named id rules referenced by message maps; `undefined` means the source has no stable key. */
export const idRules = {
  patient: (s: IdScope) => patientKey(s.segment),
  'merged-patient': (s: IdScope) => {
    const cx = s.segment.field(1);
    return cx.component(1) ? [cx.component(4, 1) || cx.component(4, 2), cx.component(1)] : undefined;
  },
  encounter: encounterKey,
  observation: (s: IdScope) => {
    const base = orderKey(s.nearest('OBR')) ?? encounterKey(s);
    return base && [...base, code(continued(s), 3), continued(s).field(4).component(1)];
  },
  'diagnostic-report': (s: IdScope) => orderKey(s.segment),
  condition: (s: IdScope) => {
    const base = encounterKey(s) ?? patientKey(s.nearest('PID'));
    return base && [...base, code(s.segment, 3)];
  },
  allergy: (s: IdScope) => {
    const base = patientKey(s.nearest('PID'));
    return base && [...base, code(s.segment, 3)];
  },
  'related-person': (s: IdScope) => {
    const base = patientKey(s.nearest('PID'));
    return base && [...base, s.segment.field(2).value(), s.segment.field(3).component(1)];
  },
  /** TXA-12 unique document number, else TXA-16 filler order number. */
  document: (s: IdScope) => {
    for (const n of [12, 16]) if (s.segment.field(n).component(1)) return [s.segment.field(n).component(2), s.segment.field(n).component(1)];
    return undefined;
  },
  'message-header': (s: IdScope) => [s.message.sendingFacility, s.message.controlId],
} satisfies Record<string, (s: IdScope) => string[] | undefined>;

export type IdRuleName = keyof typeof idRules;

export function isIdRuleName(name: string): name is IdRuleName {
  return Object.hasOwn(idRules, name);
}
