import type { Db } from '../db/database.js';
import type { EncounterStateRow } from '../db/tables/timeline.table.js';
import { applyEncounterEvent, encounterInputSchema, type EncounterInput, type EncounterState, type EncounterStatus, type Transition } from './encounter-state.js';

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

/**
 * Apply one ADT event in the caller's transaction (or its own): the current state is locked, the
 * pure machine decides, the state is stored, and the event is logged with its verdict either way,
 * so an illegal transition is reported (encounter_event.accepted = false), not thrown away.
 */
export async function recordEncounterEvent(db: Db, raw: EncounterInput): Promise<Transition> {
  const input = encounterInputSchema.parse(raw);
  if (!db.isTransaction) return db.transaction().execute((trx) => recordEncounterEvent(trx, input));
  const row = await db.selectFrom('encounter_state').selectAll().where('encounter_id', '=', input.encounterId).forUpdate().executeTakeFirst();
  const before = row ? encounterFromRow(row) : undefined;
  const t = applyEncounterEvent(before, input);
  if (t.ok) {
    const s = t.state;
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
      .values({ encounter_id: s.encounterId, ...values })
      .onConflict((oc) => oc.column('encounter_id').doUpdateSet(values))
      .execute();
  }
  await db
    .insertInto('encounter_event')
    .values({
      encounter_id: input.encounterId,
      patient_record: input.patientRecord,
      trigger: input.trigger,
      at: input.at,
      location: input.location ?? null,
      patient_class: input.patientClass ?? null,
      accepted: t.ok,
      problem: t.ok ? null : t.problem,
      from_status: before?.status ?? null,
      to_status: t.ok ? t.state.status : (before?.status ?? null),
    })
    .execute();
  return t;
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

/** The ADT log of one encounter, rejected events included. */
export async function encounterEvents(db: Db, encounterId: string) {
  return db.selectFrom('encounter_event').selectAll().where('encounter_id', '=', encounterId).orderBy('id').execute();
}
