/**
 * One encounter's messages. Which modalities appear depends on the patient class, so the feed has
 * realistic gaps: most patients are never imaged, some outpatients have no vitals or notes.
 */
import type { Rng } from './random.js';
import { DAY, HOUR, MINUTE, iso, localDate, localToUtc } from './time.js';
import { sec, type PatientView, type SimContext } from './context.js';
import type { ClinicalState } from './clinical.js';
import { IMAGING, MEDICATIONS, type MedicationDef } from './data/codes.js';
import { CLINICIANS } from './data/names.js';
import type { VisitInfo } from './segments.js';
import type { Campus, Demographics, RecordRef, TruthEncounter } from './types.js';
import { adtDraft, type AdtEvent } from './messages/adt.js';
import { labCorrectionDraft, labDraft } from './messages/lab-result.js';
import { vitalsDraft } from './messages/vitals.js';
import { imagingDrafts } from './messages/radiology.js';
import { noteDraft } from './messages/note.js';
import { medicationDraft } from './messages/medication.js';

export interface EncounterSetup {
  personId: string;
  patientClass: 'I' | 'O' | 'E';
  campus: Campus;
  startMs: number;
  record: RecordRef;
  /** The LIS registers a patient on first specimen, so its record is created on demand. */
  labRecord: () => RecordRef;
  canonical: Demographics;
  state: ClinicalState;
  /** Set on the re-admission that follows a cancelled one. */
  noCancel?: boolean;
}

const WARDS: Readonly<Record<Campus, { wards: readonly string[]; icu: string }>> = {
  NORTH: { wards: ['4W', '5E', '6N'], icu: 'MICU' },
  SOUTH: { wards: ['2A', '3B'], icu: 'SICU' },
};
const CORRECTION_RATE = 0.03;

export function planEncounter(sim: SimContext, rng: Rng, e: EncounterSetup): TruthEncounter[] {
  const { campus, patientClass: klass, startMs } = e;
  const visitNumber = `${campus[0]}V${String(sim.nextId(`visit-${campus}`)).padStart(7, '0')}`;
  const units = WARDS[campus];
  const bed = (unit: string): string => `${unit}^${rng.int(1, 40)}^${rng.pick(['A', 'B'])}^${campus}`;
  const icu = klass === 'I' && e.state.severity > 0.75;
  const firstLoc = klass === 'O' ? `CLINIC^^^${campus}` : klass === 'E' ? `ED^${rng.int(1, 24)}^^${campus}` : bed(icu ? units.icu : rng.pick(units.wards));
  const moves: { atMs: number; loc: string }[] = [{ atMs: startMs, loc: firstLoc }];
  const lengthMs = klass === 'I' ? rng.real(1, 6) * DAY : klass === 'E' ? rng.real(2, 8) * HOUR : rng.real(20, 90) * MINUTE;
  const endMs = sec(startMs + lengthMs);
  const base: Omit<VisitInfo, 'location'> = {
    patientClass: klass,
    attending: rng.pick(CLINICIANS),
    service: klass === 'I' ? rng.pick(['MED', 'MED', 'SUR', 'CAR', 'PUL']) : klass === 'E' ? 'EMR' : 'CLN',
    visitNumber,
    facility: campus,
    admitMs: startMs,
  };
  let correctedAtMs: number | undefined;
  const locAt = (ms: number): string => {
    let loc = moves[0].loc;
    for (const m of moves) if (m.atMs <= ms) loc = m.loc;
    return loc;
  };
  const view = (ms: number, lab = false, visit: Partial<VisitInfo> = {}): PatientView => {
    const rec = e.record;
    const own = correctedAtMs !== undefined && ms >= correctedAtMs ? e.canonical : rec.truth.demographics;
    const labRec = lab ? e.labRecord() : undefined;
    const days = Math.max(0, (ms - startMs) / DAY);
    return {
      personId: e.personId,
      ids: labRec ? [labRec, rec] : [rec],
      demographics: labRec ? labRec.truth.demographics : own,
      visit: { ...base, location: locAt(ms), ...visit },
      state: { ...e.state, severity: e.state.severity * 0.85 ** days },
    };
  };
  const adt = (event: AdtEvent, atMs: number, extra: Partial<VisitInfo> = {}, withDx = false): void => {
    const dx = withDx ? [e.state.diagnosis, ...e.state.comorbidities] : undefined;
    adtDraft(sim, rng, view(atMs, false, extra), { event, occurredMs: atMs, sentMs: sec(atMs + rng.real(0.2, 5) * MINUTE), diagnoses: dx });
  };
  const labs = (atMs: number, panels: readonly string[]): void => {
    for (const panel of panels) {
      const p = view(atMs, true);
      const result = labDraft(sim, rng, p, panel, sec(atMs + rng.real(0, 15) * MINUTE));
      if (rng.chance(CORRECTION_RATE)) labCorrectionDraft(sim, rng, p, result);
    }
  };
  const acutePanels = (): string[] => ['bmp', 'cbc', ...(e.state.severity > 0.4 ? ['lactate', 'crp'] : [])];
  const meds = (atMs: number, n: number): void => {
    const chosen = new Set<MedicationDef>();
    while (chosen.size < n) chosen.add(rng.pick(MEDICATIONS));
    for (const m of chosen) medicationDraft(sim, rng, view(atMs), m, sec(atMs + rng.real(0, 30) * MINUTE));
  };
  const imaging = (atMs: number): void => {
    imagingDrafts(sim, rng, view(atMs), rng.pick(IMAGING), sec(atMs));
  };
  const truth: TruthEncounter = {
    personId: e.personId, record: `${e.record.system}|${e.record.value}`, facility: campus, visitNumber, patientClass: klass,
    start: iso(startMs), locations: [firstLoc],
  };

  if (klass === 'I') {
    adt('A01', startMs, {}, true);
    if (!e.noCancel && rng.chance(0.08)) {
      // Admitted under the wrong visit: the admit is cancelled; usually a fresh A01 follows.
      const cancelMs = sec(startMs + rng.real(20, 90) * MINUTE);
      adt('A11', cancelMs);
      const cancelled: TruthEncounter = { ...truth, cancelled: true };
      if (rng.chance(0.4) || cancelMs + 30 * MINUTE >= endMs) return [cancelled];
      return [cancelled, ...planEncounter(sim, rng, { ...e, startMs: sec(cancelMs + rng.real(5, 30) * MINUTE), noCancel: true })];
    }
    const transfers = rng.chance(0.5) ? (rng.chance(0.3) ? 2 : 1) : 0;
    for (let i = 0; i < transfers; i++) {
      const atMs = sec(startMs + ((i + 1) / (transfers + 1)) * (endMs - startMs) * rng.real(0.7, 1));
      const prior = locAt(atMs);
      const loc = bed(rng.pick(units.wards));
      moves.push({ atMs, loc });
      truth.locations.push(loc);
      adt('A02', atMs, { location: loc, priorLocation: prior });
    }
    if (rng.chance(0.35)) {
      const atMs = sec(startMs + rng.real(0.1, 0.9) * (endMs - startMs));
      if (e.record.truth.noise.length && rng.chance(0.5)) {
        correctedAtMs = atMs;
        e.record.truth.correctedAt = iso(atMs);
      }
      adt('A08', atMs);
    }
    labs(startMs + 30 * MINUTE, acutePanels());
    const [y, m, d] = localDate(startMs);
    for (let day = 1; ; day++) {
      const morning = sec(localToUtc(y, m, d + day, 5) + rng.real(0, 60) * MINUTE);
      if (morning >= endMs) break;
      labs(morning, e.state.severity > 0.5 ? ['bmp', 'cbc', 'crp'] : ['bmp', 'cbc']);
      if (rng.chance(0.8)) noteDraft(sim, rng, view(morning + 4 * HOUR), 'progress', sec(morning + rng.real(3, 6) * HOUR), day);
    }
    for (let t = startMs + 15 * MINUTE; t < endMs; ) {
      vitalsDraft(sim, rng, view(t), sec(t));
      const where = locAt(t);
      const every = where.startsWith(units.icu) ? 1 : e.state.severity > 0.6 ? 2 : 4;
      t += every * HOUR + rng.real(-15, 15) * MINUTE;
    }
    if (rng.chance(0.5)) imaging(startMs + rng.real(1, 4) * HOUR);
    if (rng.chance(0.15)) imaging(startMs + rng.real(0.3, 0.8) * (endMs - startMs));
    if (rng.chance(0.95)) noteDraft(sim, rng, view(startMs + 2 * HOUR), 'hp', sec(startMs + rng.real(1, 6) * HOUR), 0);
    if (rng.chance(0.3)) noteDraft(sim, rng, view(startMs + 12 * HOUR), 'consult', sec(startMs + rng.real(6, 30) * HOUR), 1);
    if (rng.chance(0.95)) meds(startMs + HOUR, rng.int(2, 4));
    if (rng.chance(0.3)) meds(startMs + rng.real(0.3, 0.7) * (endMs - startMs), 1);
    adt('A03', endMs, { dischargeMs: endMs });
    // Discharge summaries trail discharge by up to three days.
    if (rng.chance(0.9)) noteDraft(sim, rng, view(endMs, false, { dischargeMs: endMs }), 'discharge', sec(endMs + rng.real(0, 72) * HOUR), 0);
    return [{ ...truth, end: iso(endMs) }];
  }

  adt('A04', startMs, {}, klass === 'E' || rng.chance(0.5));
  if (klass === 'E') {
    if (rng.chance(0.95)) for (let t = startMs + 10 * MINUTE; t < endMs; t += rng.real(1, 2) * HOUR) vitalsDraft(sim, rng, view(t), sec(t));
    if (rng.chance(0.85)) labs(startMs + 20 * MINUTE, acutePanels());
    if (rng.chance(0.4)) imaging(startMs + rng.real(0.5, 2) * HOUR);
    if (rng.chance(0.7)) noteDraft(sim, rng, view(startMs + HOUR), 'ed', sec(startMs + rng.real(0.5, 3) * HOUR), 0);
    if (rng.chance(0.5)) meds(startMs + 40 * MINUTE, rng.int(1, 2));
  } else {
    if (rng.chance(0.6)) vitalsDraft(sim, rng, view(startMs), sec(startMs + 10 * MINUTE));
    if (rng.chance(0.5)) labs(startMs + 30 * MINUTE, rng.chance(0.5) ? ['bmp', 'cbc'] : ['bmp']);
    if (rng.chance(0.1)) imaging(startMs + rng.real(0.3, 24) * HOUR);
    if (rng.chance(0.5)) noteDraft(sim, rng, view(endMs), 'progress', sec(endMs + rng.real(0, 4) * HOUR), -1);
    if (rng.chance(0.3)) meds(endMs - 5 * MINUTE, 1);
  }
  // Not every clinic closes its outpatient visits with an A03.
  if (klass === 'E' || rng.chance(0.5)) {
    adt('A03', endMs, { dischargeMs: endMs });
    return [{ ...truth, end: iso(endMs) }];
  }
  return [truth];
}
