import { createHash } from 'node:crypto';
import type { Hl7v2Field, Hl7v2Message, Hl7v2Segment } from '../ingest/hl7v2/index.js';

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
 * A report's identity: its order number plus OBR-4, since senders put several panels under one
 * order number (ReportStream's newborn screen: 20 OBRs, one placer number) and each is its own report.
 */
function reportKey(obr: Hl7v2Segment | undefined): string[] | undefined {
  const order = orderKey(obr);
  return order && obr && [...order, code(obr, 4)];
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

/**
 * An order's identity: placer number first (ORC-2, else OBR-2), since it exists from the first NW
 * while the filler number (ORC-3/OBR-3) is assigned later; an NW and its later status changes
 * must land on the same request.
 */
function requestKey(orc: Hl7v2Segment | undefined, obr?: Hl7v2Segment): string[] | undefined {
  for (const [n, kind] of [[2, 'placer'], [3, 'filler']] as const) {
    const ei = [orc?.field(n), obr?.field(n)].find((f) => f?.component(1));
    if (ei) return [kind, ei.component(2) || ei.component(3), ei.component(1)];
  }
  return undefined;
}

/** The ORC of a segment's ORDER group: the nearest one before it (ORC always leads the group). */
const orcBefore = (s: IdScope): Hl7v2Segment | undefined => s.message.segments('ORC').filter((o) => o.index < s.segment.index).pop();

/** `EIP` (SPM-2): filler part (component 2) else placer part (component 1), each EI in subcomponents. */
function eipKey(f: Hl7v2Field): string[] | undefined {
  for (const c of [2, 1]) if (f.component(c, 1)) return [c === 2 ? 'filler' : 'placer', f.component(c, 2), f.component(c, 1)];
  return undefined;
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
    const base = reportKey(s.nearest('OBR')) ?? encounterKey(s);
    return base && [...base, code(continued(s), 3), continued(s).field(4).component(1)];
  },
  'diagnostic-report': (s: IdScope) => reportKey(s.segment),
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
  /** ORC/OBR placer (else filler) number plus OBR-4: one ORC may carry several OBRs (ReportStream ORM). */
  'service-request': (s: IdScope) => {
    const base = requestKey(orcBefore(s), s.segment);
    return base && [...base, code(s.segment, 4)];
  },
  'medication-request': (s: IdScope) => requestKey(orcBefore(s)),
  /** The order plus RXD-1 dispense sub-id counter and RXD-3 time: each dispense of one order. */
  'medication-dispense': (s: IdScope) => {
    const base = requestKey(orcBefore(s));
    return base && [...base, s.segment.field(1).component(1), s.segment.field(3).component(1)];
  },
  /** The order plus RXA-1/RXA-2 sub-id counters and RXA-3 start: each administration of one order. */
  'medication-administration': (s: IdScope) => {
    const base = requestKey(orcBefore(s));
    return base && [...base, s.segment.field(1).component(1), s.segment.field(2).component(1), s.segment.field(3).component(1)];
  },
  /** CDC IIS IG: ORC-3 is the immunization's unique id; else the patient, date and vaccine. */
  immunization: (s: IdScope) => {
    const orc = orcBefore(s);
    const filler = orc?.field(3);
    if (filler?.component(1)) return ['filler', filler.component(2), filler.component(1)];
    const base = patientKey(s.nearest('PID'));
    return base && s.segment.field(3).component(1) ? [...base, s.segment.field(3).component(1), code(s.segment, 5)] : undefined;
  },
  /** DICOM Study Instance UID (IPC-3, ZDS-1): order and report meet on one ImagingStudy. */
  'imaging-study': (s: IdScope) => {
    const uid = s.segment.field(s.segment.name === 'IPC' ? 3 : 1).component(1).trim();
    return /^\d+(?:\.\d+)+$/.test(uid) ? ['dicom-uid', uid] : undefined;
  },
  specimen: (s: IdScope) => eipKey(s.segment.field(2)),
  /** SCH-2 filler appointment id, else SCH-1 placer: an S13 reschedule updates the same Appointment. */
  appointment: (s: IdScope) => {
    for (const n of [2, 1]) if (s.segment.field(n).component(1)) return [n === 2 ? 'filler' : 'placer', s.segment.field(n).component(2), s.segment.field(n).component(1)];
    return undefined;
  },
  /** PRB-4 problem instance id, else the patient and PRB-3 problem code. */
  problem: (s: IdScope) => {
    const inst = s.segment.field(4);
    if (inst.component(1)) return [inst.component(2), inst.component(1)];
    const base = patientKey(s.nearest('PID'));
    return base && [...base, code(s.segment, 3)];
  },
  'message-header': (s: IdScope) => [s.message.sendingFacility, s.message.controlId],
} satisfies Record<string, (s: IdScope) => string[] | undefined>;

export type IdRuleName = keyof typeof idRules;

export function isIdRuleName(name: string): name is IdRuleName {
  return Object.hasOwn(idRules, name);
}
