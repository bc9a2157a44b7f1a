/** Bedside vital signs as ORU^R01 from the campus flowsheet; OBX-14 is when they were taken. */
import type { Rng } from '../random.js';
import { MINUTE, iso } from '../time.js';
import { recordKey, sec, type PatientView, type SimContext } from '../context.js';
import { acvpuText, vitalSet } from '../clinical.js';
import { VITALS, VITALS_PANEL } from '../data/codes.js';
import { esc, msh, pid, pv1, segAt } from '../segments.js';
import type { Draft, Facility } from '../types.js';

type NumericVital = 'heartRate' | 'respRate' | 'spo2' | 'systolic' | 'diastolic' | 'temperature';
const NUMERIC: readonly NumericVital[] = ['heartRate', 'respRate', 'spo2', 'systolic', 'diastolic', 'temperature'];

export function vitalsDraft(sim: SimContext, rng: Rng, p: PatientView, takenMs: number): Draft {
  // Nurses chart in batches: the message leaves minutes to half an hour after the reading.
  const sentMs = sec(takenMs + rng.real(2, 30) * MINUTE);
  const v = vitalSet(rng, p.state.severity);
  const facility = p.visit.facility as Facility;
  const record = recordKey(p);
  const clinicalTime = iso(takenMs);
  const fact = (code: string, value: string | number, unit?: string): Draft['facts'][number] => ({
    personId: p.personId, record, facility, modality: 'vitals', code, value, unit, clinicalTime,
  });
  const facts = NUMERIC.map((k) => fact(VITALS[k].loinc, v[k], VITALS[k].unit));
  facts.push(fact(VITALS.consciousness.loinc, v.consciousness), fact(VITALS.supplementalO2.code, v.supplementalO2 ? 'Y' : 'N'));
  const demographics = p.demographics;
  const visit = { ...p.visit };
  const placer = `${facility[0]}V${sim.nextId('vitals')}`;
  return sim.add(rng, {
    sentAtMs: sentMs,
    facility,
    type: 'ORU^R01',
    personId: p.personId,
    facts,
    render: (ctx) => {
      const t = ctx.ts(takenMs);
      const o2 = VITALS.supplementalO2;
      const c = VITALS.consciousness;
      return [
        msh(ctx, facility, 'ORU^R01', sentMs),
        pid(p.ids, demographics),
        pv1(ctx, visit),
        segAt('OBR', { 1: 1, 2: `${placer}^${facility}`, 4: `${VITALS_PANEL.code}^${VITALS_PANEL.display}^LN`, 7: t, 22: ctx.ts(sentMs), 25: 'F' }),
        ...NUMERIC.map((k, i) =>
          segAt('OBX', { 1: i + 1, 2: 'NM', 3: `${VITALS[k].loinc}^${esc(VITALS[k].display)}^LN`, 5: String(v[k]), 6: `${VITALS[k].unit}^${VITALS[k].unit}^UCUM`, 11: 'F', 14: t }),
        ),
        segAt('OBX', { 1: 7, 2: 'CWE', 3: `${c.loinc}^${c.display}^LN`, 5: `${v.consciousness}^${acvpuText(v.consciousness)}^ACVPU`, 11: 'F', 14: t }),
        segAt('OBX', { 1: 8, 2: 'CWE', 3: `${o2.code}^${o2.display}^${o2.system}`, 5: v.supplementalO2 ? 'Y^Yes^HL70136' : 'N^No^HL70136', 11: 'F', 14: t }),
      ];
    },
  });
}
