/**
 * One person's life in the feed: records at each campus (the second one often mis-keyed), a lazily
 * created LIS record, encounters, and sometimes a same-campus duplicate that an A40 merges days later.
 */
import type { Rng } from './random.js';
import { DAY, HOUR, MINUTE, iso, localDate, localToUtc } from './time.js';
import { sec, type SimContext } from './context.js';
import { noisyCopy, randomPerson } from './people.js';
import { DIAGNOSES, type Diagnosis } from './data/codes.js';
import { mergeDraft } from './messages/adt.js';
import { planEncounter } from './plan-encounter.js';
import type { Campus, Demographics, Draft, Facility, RecordRef, TruthEncounter, TruthMerge, TruthPerson, TruthRecord } from './types.js';

export interface Window {
  startMs: number;
  days: number;
}

export interface PendingMerge {
  merge: Omit<TruthMerge, 'sentAt' | 'controlId'>;
  draft: Draft;
}

export interface Collector {
  persons: TruthPerson[];
  records: TruthRecord[];
  encounters: TruthEncounter[];
  merges: PendingMerge[];
}

const DUPLICATE_RATE = 0.08;
const OTHER_CAMPUS_RATE = 0.3;
const MRN_BASE: Readonly<Record<string, number>> = { NORTH: 1_000_000, SOUTH: 20_000_000, LAB: 5_000_000 };

function newRecord(sim: SimContext, rng: Rng, out: Collector, personId: string, facility: Facility, canonical: Demographics, noiseP: number): RecordRef {
  const system = facility === 'LAB' ? 'LAB' : facility;
  const n = MRN_BASE[system] + sim.nextId(`mrn-${system}`);
  const value = system === 'LAB' ? `L${n}` : String(n);
  const { demographics, noise } = noisyCopy(rng, canonical, noiseP);
  const truth: TruthRecord = { facility, system, value, personId, demographics, noise };
  out.records.push(truth);
  return { system, value, truth };
}

function encounterStart(rng: Rng, klass: 'I' | 'O' | 'E', fromMs: number, toMs: number): number {
  if (klass !== 'O') return sec(rng.real(fromMs, toMs));
  // Clinics run 08:00–16:00 local; aim at the local day around a random point of the slot.
  const [y, m, d] = localDate(rng.real(fromMs, toMs));
  const t = localToUtc(y, m, d, 8) + rng.real(0, 8) * HOUR;
  return sec(Math.min(Math.max(t, fromMs), toMs));
}

export function planPerson(sim: SimContext, rng: Rng, index: number, w: Window, out: Collector): void {
  const personId = `P${String(index + 1).padStart(6, '0')}`;
  const startYear = new Date(w.startMs).getUTCFullYear();
  const canonical = randomPerson(rng, startYear);
  out.persons.push({ personId, ...canonical });
  const age = startYear - Number(canonical.birthDate.slice(0, 4));
  const comorbidities = DIAGNOSES.filter((d) => d.chronic && rng.chance(age > 60 ? 0.25 : 0.08));
  const acute = DIAGNOSES.filter((d) => !d.chronic);

  const home: Campus = rng.chance(0.6) ? 'NORTH' : 'SOUTH';
  const other: Campus = home === 'NORTH' ? 'SOUTH' : 'NORTH';
  const duplicate = rng.chance(DUPLICATE_RATE);
  let count = 1 + (rng.chance(0.3) ? 1 : 0) + (rng.chance(0.08) ? 1 : 0);
  if (duplicate) count = Math.max(2, count);

  const records = new Map<Campus, RecordRef>();
  let labRecord: RecordRef | undefined;
  const labRecordFn = (): RecordRef => (labRecord ??= newRecord(sim, rng, out, personId, 'LAB', canonical, 0.3));

  const endMs = w.startMs + w.days * DAY;
  const slot = (endMs - w.startMs) / count;
  let earliest = w.startMs;
  for (let k = 0; k < count; k++) {
    const isDup = duplicate && k === count - 1;
    const campus: Campus = k === 0 || isDup ? home : rng.chance(OTHER_CAMPUS_RATE) ? other : home;
    const patientClass = rng.pick(['O', 'O', 'O', 'O', 'O', 'E', 'E', 'I', 'I', 'I'] as const);
    const from = Math.max(earliest, w.startMs + k * slot);
    if (from >= endMs) break;
    const startMs = encounterStart(rng, patientClass, from, Math.min(endMs, Math.max(from, w.startMs + (k + 1) * slot)));
    let record = records.get(campus);
    if (isDup || !record) {
      // First record at the home campus is keyed cleanly; later ones pick up desk errors.
      const noiseP = !record && campus === home && !isDup ? 0 : isDup ? 0.95 : 0.6;
      const created = newRecord(sim, rng, out, personId, campus, canonical, noiseP);
      if (isDup && record) created.truth.duplicate = true;
      else records.set(campus, created);
      if (isDup && record) {
        const before = sim.drafts.length;
        const encs = runEncounter(sim, rng, personId, created, labRecordFn, canonical, comorbidities, acute, patientClass, campus, startMs, age);
        out.encounters.push(...encs);
        const enc = encs[encs.length - 1];
        // The merge waits for an HIM review days later, and after the duplicate's last message.
        let lastSent = startMs;
        for (let i = before; i < sim.drafts.length; i++) lastSent = Math.max(lastSent, sim.drafts[i].sentAtMs);
        const sentMs = sec(Math.max(startMs + rng.real(2, 4) * DAY, lastSent + rng.real(1, 12) * HOUR));
        const draft = mergeDraft(sim, rng, { personId, facility: campus, survivor: record, merged: created, sentMs });
        out.merges.push({
          merge: { personId, facility: campus, system: campus, survivor: record.value, merged: created.value, duplicateCreatedAt: iso(startMs) },
          draft,
        });
        earliest = sec(Date.parse(enc.end ?? enc.start) + DAY);
        continue;
      }
      record = created;
    }
    const encs = runEncounter(sim, rng, personId, record, labRecordFn, canonical, comorbidities, acute, patientClass, campus, startMs, age);
    out.encounters.push(...encs);
    const enc = encs[encs.length - 1];
    earliest = sec(Date.parse(enc.end ?? enc.start) + rng.real(12, 48) * HOUR + 10 * MINUTE);
  }
}

function runEncounter(
  sim: SimContext, rng: Rng, personId: string, record: RecordRef, labRecord: () => RecordRef, canonical: Demographics,
  comorbidities: readonly Diagnosis[], acute: readonly Diagnosis[], patientClass: 'I' | 'O' | 'E', campus: Campus, startMs: number, age: number,
): TruthEncounter[] {
  const severity = patientClass === 'I' ? rng.real(0.3, 1) : patientClass === 'E' ? rng.real(0.1, 0.6) : rng.real(0, 0.2);
  const diagnosis = patientClass === 'O' && comorbidities.length ? rng.pick(comorbidities) : rng.pick(acute);
  return planEncounter(sim, rng, {
    personId, patientClass, campus, startMs, record, labRecord, canonical,
    state: { severity, age, sex: canonical.sex, diagnosis, comorbidities: comorbidities.filter((d) => d !== diagnosis) },
  });
}
