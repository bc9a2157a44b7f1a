import { z } from 'zod';

/**
 * The ADT trigger events that move an encounter (HL7 v2.5.1 ch. 3): admit, transfer, discharge,
 * register, pre-admit, change outpatient↔inpatient, update, cancel admit/transfer/discharge,
 * pending admit/transfer/discharge.
 */
export const ADT_TRIGGERS = ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A11', 'A12', 'A13', 'A14', 'A15', 'A16'] as const;
export type AdtTrigger = (typeof ADT_TRIGGERS)[number];

/** FHIR R4 Encounter.status values this machine reaches. */
export const ENCOUNTER_STATUSES = ['planned', 'in-progress', 'finished', 'cancelled'] as const;
export type EncounterStatus = (typeof ENCOUNTER_STATUSES)[number];

export const encounterInputSchema = z.strictObject({
  trigger: z.enum(ADT_TRIGGERS),
  encounterId: z.string().min(1),
  patientRecord: z.string().min(1),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO date-time'),
  location: z.string().min(1).optional(),
  patientClass: z.string().min(1).optional(),
});
export type EncounterInput = z.infer<typeof encounterInputSchema>;

export interface LocationStay {
  location: string;
  from: string;
  to?: string;
}

export interface EncounterState {
  encounterId: string;
  patientRecord: string;
  status: EncounterStatus;
  patientClass?: string;
  /** Current (or, when planned, expected) location. */
  location?: string;
  pending?: 'admit' | 'transfer' | 'discharge';
  periodStart?: string;
  periodEnd?: string;
  /** Every location the patient stayed in, in order; the open stay has no `to`. */
  locations: LocationStay[];
}

export type Transition = { ok: true; state: EncounterState } | { ok: false; problem: string };

const iso = (s: string): string => new Date(Date.parse(s)).toISOString();

function illegal(input: EncounterInput, state: EncounterState | undefined, why: string): Transition {
  return { ok: false, problem: `${input.trigger} for encounter ${input.encounterId} ${state ? `in status ${state.status}` : 'that does not exist'}: ${why}` };
}

function closeStay(locations: readonly LocationStay[], at: string): LocationStay[] {
  return locations.map((s, i) => (i === locations.length - 1 && s.to === undefined ? { ...s, to: at } : s));
}

function begin(input: EncounterInput, prev: EncounterState | undefined, defaultClass: string): Transition {
  if (prev && prev.status !== 'planned') return illegal(input, prev, 'the encounter has already started');
  const at = iso(input.at);
  const location = input.location ?? prev?.location;
  const patientClass = input.patientClass ?? prev?.patientClass ?? defaultClass;
  return {
    ok: true,
    state: {
      encounterId: input.encounterId,
      patientRecord: input.patientRecord,
      status: 'in-progress',
      patientClass,
      ...(location ? { location } : {}),
      periodStart: at,
      locations: location ? [{ location, from: at }] : [],
    },
  };
}

function notBefore(input: EncounterInput, s: EncounterState): string | undefined {
  return s.periodStart && Date.parse(input.at) < Date.parse(s.periodStart) ? `time ${input.at} is before the encounter began (${s.periodStart})` : undefined;
}

/**
 * One ADT event applied to an encounter (undefined = not seen yet). Pure: an illegal transition is
 * returned as a problem for the caller to record, never thrown and never silently dropped.
 */
export function applyEncounterEvent(state: EncounterState | undefined, input: EncounterInput): Transition {
  if (state && state.patientRecord !== input.patientRecord) {
    return illegal(input, state, `the encounter belongs to patient record ${state.patientRecord}, not ${input.patientRecord}`);
  }
  const at = iso(input.at);
  const s = state;
  switch (input.trigger) {
    case 'A05':
    case 'A14':
      // A05 pre-admit and A14 pending admit both announce a visit that has not started (§3.3.5, §3.3.14).
      if (s && s.status !== 'planned') return illegal(input, s, 'only a new or planned encounter can be pre-admitted or pending admission');
      return {
        ok: true,
        state: {
          encounterId: input.encounterId,
          patientRecord: input.patientRecord,
          status: 'planned',
          pending: 'admit',
          locations: [],
          ...(input.patientClass ?? s?.patientClass ? { patientClass: input.patientClass ?? s?.patientClass } : {}),
          ...(input.location ?? s?.location ? { location: input.location ?? s?.location } : {}),
        },
      };
    case 'A01':
      return begin(input, s, 'I');
    case 'A04':
      return begin(input, s, 'O');
    case 'A02': {
      if (s?.status !== 'in-progress') return illegal(input, s, 'only an encounter in progress can be transferred');
      if (!input.location) return illegal(input, s, 'a transfer needs the new location (PV1-3)');
      if (input.location === s.location) return illegal(input, s, `the patient is already in ${input.location}`);
      const early = notBefore(input, s);
      if (early) return illegal(input, s, early);
      const { pending: _p, ...rest } = s;
      return { ok: true, state: { ...rest, location: input.location, locations: [...closeStay(s.locations, at), { location: input.location, from: at }] } };
    }
    case 'A15':
    case 'A16': {
      if (s?.status !== 'in-progress') return illegal(input, s, 'only an encounter in progress can have a pending transfer or discharge');
      return { ok: true, state: { ...s, pending: input.trigger === 'A15' ? 'transfer' : 'discharge' } };
    }
    case 'A03': {
      if (s?.status !== 'in-progress') return illegal(input, s, 'only an encounter in progress can be discharged');
      const early = notBefore(input, s);
      if (early) return illegal(input, s, early);
      const { pending: _p, ...rest } = s;
      return { ok: true, state: { ...rest, status: 'finished', periodEnd: at, locations: closeStay(s.locations, at) } };
    }
    case 'A08': {
      if (!s || s.status === 'cancelled') return illegal(input, s, 'there is no encounter to update');
      // An update corrects the current location in place: it is not a move (that is A02).
      const locations = input.location && s.locations.length > 0 ? s.locations.map((x, i) => (i === s.locations.length - 1 ? { ...x, location: input.location as string } : x)) : s.locations;
      return { ok: true, state: { ...s, ...(input.patientClass ? { patientClass: input.patientClass } : {}), ...(input.location ? { location: input.location } : {}), locations } };
    }
    case 'A06':
    case 'A07': {
      // Outpatient → inpatient (A06) or back (A07): the same visit goes on with a new class; an
      // encounter first seen here begins at the event time.
      const patientClass = input.patientClass ?? (input.trigger === 'A06' ? 'I' : 'O');
      if (!s || s.status === 'planned') return begin({ ...input, patientClass }, s, patientClass);
      if (s.status !== 'in-progress') return illegal(input, s, 'only an encounter in progress can change between outpatient and inpatient');
      return { ok: true, state: { ...s, patientClass, ...(input.location ? { location: input.location } : {}) } };
    }
    case 'A12': {
      // Cancel transfer (§3.3.12): the last move never happened; the stay before it is open again.
      if (s?.status !== 'in-progress') return illegal(input, s, 'only an encounter in progress can have a transfer cancelled');
      if (s.locations.length < 2) return illegal(input, s, 'there is no transfer to cancel');
      const kept = s.locations.slice(0, -1);
      const back = kept[kept.length - 1] as LocationStay;
      return { ok: true, state: { ...s, location: back.location, locations: [...kept.slice(0, -1), { location: back.location, from: back.from }] } };
    }
    case 'A11': {
      if (s?.status !== 'in-progress') return illegal(input, s, 'only an encounter in progress can have its admission cancelled');
      const { pending: _p, ...rest } = s;
      return { ok: true, state: { ...rest, status: 'cancelled' } };
    }
    case 'A13': {
      if (s?.status !== 'finished') return illegal(input, s, 'only a finished encounter can have its discharge cancelled');
      const { periodEnd, ...rest } = s;
      const last = s.locations.length - 1;
      const locations = s.locations.map((x, i) => (i === last && x.to === periodEnd ? { location: x.location, from: x.from } : x));
      return { ok: true, state: { ...rest, status: 'in-progress', locations } };
    }
  }
}

/** The encounter a fact with this clinical time belongs to: open at that time; latest start wins. */
export function encounterOpenAt(states: readonly EncounterState[], clinicalTime: string): EncounterState | undefined {
  const t = Date.parse(clinicalTime);
  return states
    .filter((s) => (s.status === 'in-progress' || s.status === 'finished') && s.periodStart !== undefined)
    .filter((s) => Date.parse(s.periodStart as string) <= t && (s.periodEnd === undefined || t < Date.parse(s.periodEnd)))
    .sort((a, b) => Date.parse(b.periodStart as string) - Date.parse(a.periodStart as string) || (a.encounterId < b.encounterId ? -1 : 1))[0];
}
