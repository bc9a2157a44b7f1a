/** RDE^O11 pharmacy orders: RXE-2 RxNorm give code, RXE-3/5 dose in UCUM, TQ1 timing, RXR route. */
import type { Rng } from '../random.js';
import { MINUTE, iso } from '../time.js';
import { recordKey, sec, type PatientView, type SimContext } from '../context.js';
import type { MedicationDef } from '../data/codes.js';
import { msh, pid, pv1, segAt } from '../segments.js';
import type { Draft, Facility } from '../types.js';

const ROUTE_TEXT = { PO: 'Oral', IV: 'Intravenous', SC: 'Subcutaneous' } as const;

export function medicationDraft(sim: SimContext, rng: Rng, p: PatientView, med: MedicationDef, orderedMs: number): Draft {
  const sentMs = sec(orderedMs + rng.real(0, 3) * MINUTE);
  const facility = p.visit.facility as Facility;
  const placer = `${facility[0]}M${sim.nextId('med')}`;
  const demographics = p.demographics;
  const visit = { ...p.visit };
  return sim.add(rng, {
    sentAtMs: sentMs,
    facility,
    type: 'RDE^O11',
    personId: p.personId,
    facts: [{ personId: p.personId, record: recordKey(p), facility, modality: 'medications', code: med.rxnorm, value: med.dose, unit: med.unit, clinicalTime: iso(orderedMs) }],
    render: (ctx) => [
      msh(ctx, facility, 'RDE^O11', sentMs),
      pid(p.ids, demographics),
      pv1(ctx, visit),
      segAt('ORC', { 1: 'NW', 2: `${placer}^${facility}`, 5: 'IP', 9: ctx.ts(orderedMs) }),
      segAt('RXE', {
        2: `${med.rxnorm}^${med.name}^RXNORM`, 3: med.dose, 5: `${med.unit}^${med.unit}^UCUM`, 6: `${med.form}^^HL70292`,
        10: 1,
      }),
      segAt('TQ1', { 1: 1, 3: med.frequency, 7: ctx.ts(orderedMs) }),
      segAt('RXR', { 1: `${med.route}^${ROUTE_TEXT[med.route]}^HL70162` }),
    ],
  });
}
