/** Lab ORU^R01 from the LIS: OBR-7 collection, OBR-22 result time, OBX with LOINC/UCUM/ranges/flags. */
import type { Rng } from '../random.js';
import { HOUR, MINUTE, iso } from '../time.js';
import { recordKey, sec, type PatientView, type SimContext } from '../context.js';
import { labValue, type LabValue } from '../clinical.js';
import { PANELS } from '../data/codes.js';
import { esc, msh, pid, pv1, seg, segAt } from '../segments.js';
import type { Draft } from '../types.js';

export interface LabOrder {
  panel: string;
  placer: string;
  filler: string;
  collectedMs: number;
  resultMs: number;
}

const range = (v: LabValue): string => `${v.analyte.low}-${v.analyte.high}`;

function obx(v: LabValue, i: number, status: 'F' | 'C', observedMs: number, ts: (ms: number) => string): string {
  const a = v.analyte;
  return segAt('OBX', {
    1: i + 1, 2: 'NM', 3: `${a.loinc}^${esc(a.display)}^LN`, 5: v.text, 6: `${a.unit}^${a.unit}^UCUM`, 7: range(v),
    8: v.flag, 11: status, 14: ts(observedMs),
  });
}

function render(p: PatientView, o: LabOrder, values: readonly LabValue[], statuses: readonly ('F' | 'C')[], sentMs: number, note?: string): Draft['render'] {
  const panel = PANELS[o.panel];
  const demographics = p.demographics;
  const visit = { ...p.visit };
  const corrected = statuses.includes('C');
  return (ctx) => [
    msh(ctx, 'LAB', 'ORU^R01', sentMs),
    pid(p.ids, demographics),
    pv1(ctx, visit),
    seg('ORC', 'RE', `${o.placer}^${visit.facility}`, `${o.filler}^LAB`, '', 'CM'),
    segAt('OBR', {
      1: 1, 2: `${o.placer}^${visit.facility}`, 3: `${o.filler}^LAB`, 4: `${panel.code}^${esc(panel.display)}^LN`,
      7: ctx.ts(o.collectedMs), 22: ctx.ts(o.resultMs), 24: 'CH', 25: corrected ? 'C' : 'F',
    }),
    ...values.map((v, i) => obx(v, i, statuses[i], o.collectedMs, ctx.ts)),
    ...(note ? [seg('NTE', 1, 'L', esc(note))] : []),
  ];
}

const HEMOLYSIS_NOTE = 'Specimen slightly hemolyzed; K & LDH may be falsely elevated.';

export function labDraft(sim: SimContext, rng: Rng, p: PatientView, panelKey: string, collectedMs: number): { draft: Draft; order: LabOrder; values: LabValue[] } {
  const resultMs = sec(collectedMs + rng.real(1, 6) * HOUR);
  const sentMs = sec(resultMs + rng.real(0, 10) * MINUTE);
  const order: LabOrder = {
    panel: panelKey,
    placer: `${p.visit.facility[0]}O${sim.nextId('placer')}`,
    filler: `L${String(sim.nextId('filler')).padStart(8, '0')}`,
    collectedMs,
    resultMs,
  };
  const values = PANELS[panelKey].analytes.map((k) => labValue(rng, k, p.state.severity));
  const note = values.some((v) => v.key === 'potassium') && rng.chance(0.04) ? HEMOLYSIS_NOTE : undefined;
  const record = recordKey(p);
  const draft = sim.add(rng, {
    sentAtMs: sentMs,
    facility: 'LAB',
    type: 'ORU^R01',
    personId: p.personId,
    facts: values.map((v) => ({ personId: p.personId, record, facility: 'LAB', modality: 'labs', code: v.analyte.loinc, value: v.value, unit: v.analyte.unit, clinicalTime: iso(collectedMs) })),
    render: render(p, order, values, values.map(() => 'F'), sentMs, note),
  });
  return { draft, order, values };
}

/** A corrected result: same placer/filler, one OBX re-sent with OBX-11 = C a day or so later. */
export function labCorrectionDraft(sim: SimContext, rng: Rng, p: PatientView, original: { draft: Draft; order: LabOrder; values: LabValue[] }): Draft {
  const i = rng.int(0, original.values.length - 1);
  const old = original.values[i];
  let fresh = labValue(rng, old.key, p.state.severity);
  if (fresh.text === old.text) fresh = { ...fresh, value: old.value * 1.1, text: (old.value * 1.1).toFixed(old.analyte.decimals) };
  const values = original.values.map((v, j) => (j === i ? fresh : v));
  const statuses = values.map((_, j) => (j === i ? 'C' : 'F') as 'F' | 'C');
  const sentMs = sec(original.draft.sentAtMs + rng.real(12, 36) * HOUR);
  const order = { ...original.order, resultMs: sec(sentMs - rng.real(1, 10) * MINUTE) };
  const record = recordKey(p);
  return sim.add(rng, {
    sentAtMs: sentMs,
    facility: 'LAB',
    type: 'ORU^R01',
    personId: p.personId,
    correctionOf: original.draft,
    facts: [{ personId: p.personId, record, facility: 'LAB', modality: 'labs', code: fresh.analyte.loinc, value: Number(fresh.text), unit: fresh.analyte.unit, clinicalTime: iso(order.collectedMs), corrected: true }],
    render: render(p, order, values, statuses, sentMs),
  });
}
