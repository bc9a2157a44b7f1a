import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { EncounterEventTable, EncounterStateRow } from '../db/tables/timeline.table.js';
import type { EncounterVersionRow } from '../db/tables/encounter-version.table.js';
import { encounterInputSchema, type EncounterInput, type EncounterState, type EncounterStatus, type Transition } from './encounter-state.js';
import { encounterVersions, replayEncounter, type LoggedEncounterEvent } from './encounter-replay.js';

const iso = (d: Date | string | null): string | undefined => (d === null ? undefined : new Date(d).toISOString());

export function encounterFromRow(r: EncounterStateRow): EncounterState {
  return {
    encounterId: r.encounter_id,
    patientRecord: r.patient_record,
    status: r.status as EncounterStatus,
    ...(r.patient_class ? { patientClass: r.patient_class } : {}),
    ...(r.location ? { location: r.location } : {}),
    ...(r.pending ? { pending: r.pending as EncounterState['pending'] } : {}),
    ...(r.period_start ? { periodStart: iso(r.period_start) } : {}),
    ...(r.period_end ? { periodEnd: iso(r.period_end) } : {}),
    locations: r.locations,
  };
}

/** An ADT event to record: its clinical time `at`, when it became known, and its message. */
export interface EncounterEventRecord extends EncounterInput {
  /** Default: now (the event is known when it is recorded). */
  knownAt?: string;
  messageId?: string;
}

/**
 * Record one ADT event in the caller's transaction (or its own), bitemporally. The encounter is
 * locked, the event logged, and every event known for it replayed in clinical order: so an event
 * that arrives late (an A02 after the A03) slots in where it happened, and a discharge that arrived
 * before its admit is accepted once the admit is known. The current state, each event's verdict
 * and the versions over system time are rewritten from that replay. Answers this event's verdict.
 * A message already logged for this encounter (a replay) changes nothing.
 */
export async function recordEncounterEvent(db: Db, raw: EncounterEventRecord): Promise<Transition> {
  const { knownAt, messageId, ...rest } = raw;
  const input = encounterInputSchema.parse(rest);
  if (!db.isTransaction) return db.transaction().execute((trx) => recordEncounterEvent(trx, raw));
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`encounter/${input.encounterId}`}))`.execute(db);
  if (messageId) {
    const seen = await db.selectFrom('encounter_event').select('id').where('message_id', '=', messageId).where('encounter_id', '=', input.encounterId).executeTakeFirst();
    if (seen) return verdictOf(db, input.encounterId, seen.id);
  }
  const before = await encounterById(db, input.encounterId);
  const inserted = await db
    .insertInto('encounter_event')
    .values({
      encounter_id: input.encounterId,
      patient_record: input.patientRecord,
      trigger: input.trigger,
      at: input.at,
      location: input.location ?? null,
      patient_class: input.patientClass ?? null,
      accepted: false,
      known_at: knownAt ?? new Date(),
      message_id: messageId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rows = await db.selectFrom('encounter_event').selectAll().where('encounter_id', '=', input.encounterId).orderBy('id').execute();
  const events = rows.map(loggedEvent);
  const { state, verdicts } = replayEncounter(events);
  const stored = new Map(rows.map((r) => [Number(r.id), `${r.accepted}|${r.problem}|${r.from_status}|${r.to_status}`]));
  for (const v of verdicts) {
    // Only verdicts the replay changed are written: usually just the new event's.
    if (stored.get(v.seq) === `${v.accepted}|${v.problem ?? null}|${v.from ?? null}|${v.to ?? null}`) continue;
    await db
      .updateTable('encounter_event')
      .set({ accepted: v.accepted, problem: v.problem ?? null, from_status: v.from ?? null, to_status: v.to ?? null })
      .where('id', '=', String(v.seq))
      .execute();
  }
  await saveState(db, input.encounterId, state, before);
  await saveVersions(db, input.encounterId, events);
  return verdictOf(db, input.encounterId, inserted.id);
}

function loggedEvent(r: Selectable<EncounterEventTable>): LoggedEncounterEvent {
  return {
    trigger: r.trigger as EncounterInput['trigger'],
    encounterId: r.encounter_id,
    patientRecord: r.patient_record,
    at: iso(r.at) as string,
    ...(r.location ? { location: r.location } : {}),
    ...(r.patient_class ? { patientClass: r.patient_class } : {}),
    // Rows logged before events had a known time were known when they were recorded.
    knownAt: iso(r.known_at ?? r.recorded_at) as string,
    seq: Number(r.id),
  };
}

async function verdictOf(db: Db, encounterId: string, eventId: string): Promise<Transition> {
  const row = await db.selectFrom('encounter_event').select(['accepted', 'problem']).where('id', '=', eventId).executeTakeFirstOrThrow();
  if (!row.accepted) return { ok: false, problem: row.problem ?? 'rejected' };
  return { ok: true, state: (await encounterById(db, encounterId)) as EncounterState };
}

async function saveState(db: Db, encounterId: string, s: EncounterState | undefined, before: EncounterState | undefined): Promise<void> {
  if (!s) {
    await db.deleteFrom('encounter_state').where('encounter_id', '=', encounterId).execute();
    return;
  }
  const values = {
    patient_record: s.patientRecord,
    status: s.status,
    patient_class: s.patientClass ?? null,
    location: s.location ?? null,
    pending: s.pending ?? null,
    period_start: s.periodStart ?? null,
    period_end: s.periodEnd ?? null,
    locations: JSON.stringify(s.locations),
    prior: before ? JSON.stringify(before) : null,
    updated_at: new Date(),
  };
  await db
    .insertInto('encounter_state')
    .values({ encounter_id: encounterId, ...values })
    .onConflict((oc) => oc.column('encounter_id').doUpdateSet(values))
    .execute();
}

async function saveVersions(db: Db, encounterId: string, events: readonly LoggedEncounterEvent[]): Promise<void> {
  await db.deleteFrom('encounter_version').where('encounter_id', '=', encounterId).execute();
  const versions = encounterVersions(events);
  if (versions.length === 0) return;
  await db
    .insertInto('encounter_version')
    .values(
      versions.map((v) => ({
        encounter_id: encounterId,
        patient_record: v.state.patientRecord,
        known_from: v.knownFrom,
        known_to: v.knownTo ?? null,
        status: v.state.status,
        patient_class: v.state.patientClass ?? null,
        period_start: v.state.periodStart ?? null,
        period_end: v.state.periodEnd ?? null,
        locations: JSON.stringify(v.state.locations),
        state: JSON.stringify(v.state),
      })),
    )
    .execute();
}

export async function encounterById(db: Db, encounterId: string): Promise<EncounterState | undefined> {
  const row = await db.selectFrom('encounter_state').selectAll().where('encounter_id', '=', encounterId).executeTakeFirst();
  return row ? encounterFromRow(row) : undefined;
}

/** The encounter open at `clinicalTime` for this record (the same rule appendTimeline applies in SQL). */
export async function encounterAt(db: Db, patientRecord: string, clinicalTime: Date | string): Promise<string | undefined> {
  const t = new Date(clinicalTime);
  const row = await db
    .selectFrom('encounter_state')
    .select('encounter_id')
    .where('patient_record', '=', patientRecord)
    .where('status', 'in', ['in-progress', 'finished'])
    .where('period_start', '<=', t)
    .where((eb) => eb.or([eb('period_end', 'is', null), eb('period_end', '>', t)]))
    .orderBy('period_start', 'desc')
    .orderBy('encounter_id')
    .limit(1)
    .executeTakeFirst();
  return row?.encounter_id;
}

const stateOf = (r: EncounterVersionRow): EncounterState => r.state;

/** Every encounter of these records as it was known at `asOf` (bitemporal: system time ≤ asOf). */
export async function encountersAsOf(db: Db, patientRecords: readonly string[], asOf: Date | string): Promise<EncounterState[]> {
  if (patientRecords.length === 0) return [];
  const k = new Date(asOf);
  const rows = await db
    .selectFrom('encounter_version')
    .selectAll()
    .where('patient_record', 'in', [...new Set(patientRecords)])
    .where('known_from', '<=', k)
    .where((eb) => eb.or([eb('known_to', 'is', null), eb('known_to', '>', k)]))
    .orderBy('period_start')
    .orderBy('encounter_id')
    .execute();
  return rows.map(stateOf);
}

/**
 * "Which encounter was open at clinical time T, as known at K" (issue 5 §2): the encounter in
 * progress or finished whose period covers T, in the version valid at K; latest start wins.
 */
export async function encounterAsOf(db: Db, patientRecords: readonly string[], clinicalTime: Date | string, asOf: Date | string): Promise<EncounterState | undefined> {
  if (patientRecords.length === 0) return undefined;
  const t = new Date(clinicalTime);
  const k = new Date(asOf);
  const row = await db
    .selectFrom('encounter_version')
    .selectAll()
    .where('patient_record', 'in', [...new Set(patientRecords)])
    .where('known_from', '<=', k)
    .where((eb) => eb.or([eb('known_to', 'is', null), eb('known_to', '>', k)]))
    .where('status', 'in', ['in-progress', 'finished'])
    .where('period_start', '<=', t)
    .where((eb) => eb.or([eb('period_end', 'is', null), eb('period_end', '>', t)]))
    .orderBy('period_start', 'desc')
    .orderBy('encounter_id')
    .limit(1)
    .executeTakeFirst();
  return row ? stateOf(row) : undefined;
}

/** Where the patient was at clinical time T in this encounter state (its location history). */
export function locationAt(state: EncounterState, clinicalTime: Date | string): string | undefined {
  const t = new Date(clinicalTime).getTime();
  return state.locations.find((s) => Date.parse(s.from) <= t && (s.to === undefined || t < Date.parse(s.to)))?.location;
}

/** The ADT log of one encounter, rejected events included. */
export async function encounterEvents(db: Db, encounterId: string) {
  return db.selectFrom('encounter_event').selectAll().where('encounter_id', '=', encounterId).orderBy('id').execute();
}
