/** ADT builders: A01/A02/A03/A04/A08/A11 and A40 merges. See: HL7 v2.5.1 ch. 3. */
import type { Rng } from '../random.js';
import { iso } from '../time.js';
import { recordKey, type PatientView, type SimContext } from '../context.js';
import { cx, esc, evn, msh, pid, pv1, seg } from '../segments.js';
import type { Diagnosis } from '../data/codes.js';
import type { Draft, Facility, RecordRef } from '../types.js';

export type AdtEvent = 'A01' | 'A02' | 'A03' | 'A04' | 'A08' | 'A11';

export interface AdtInput {
  event: AdtEvent;
  occurredMs: number;
  sentMs: number;
  /** DG1 segments; each becomes a 'problems' fact. */
  diagnoses?: readonly Diagnosis[];
}

export function adtDraft(sim: SimContext, rng: Rng, p: PatientView, input: AdtInput): Draft {
  const { event, occurredMs, sentMs } = input;
  const facility = p.visit.facility as Facility;
  const type = `ADT^${event}`;
  const record = recordKey(p);
  const clinicalTime = iso(occurredMs);
  const dx = input.diagnoses ?? [];
  const facts: Draft['facts'] = [
    { personId: p.personId, record, facility, modality: 'encounter', code: event, value: p.visit.visitNumber, clinicalTime },
    ...dx.map((d) => ({ personId: p.personId, record, facility, modality: 'problems' as const, code: d.icd10, clinicalTime })),
  ];
  const visit = { ...p.visit };
  const demographics = p.demographics;
  return sim.add(rng, {
    sentAtMs: sentMs,
    facility,
    type,
    personId: p.personId,
    facts,
    render: (ctx) => [
      msh(ctx, facility, type, sentMs),
      evn(ctx, event, sentMs, occurredMs),
      pid(p.ids, demographics, `${visit.visitNumber}`),
      pv1(ctx, visit),
      ...dx.map((d, i) => seg('DG1', i + 1, '', `${d.icd10}^${esc(d.display)}^I10`, '', ctx.ts(occurredMs), i === 0 ? 'A' : 'W')),
    ],
  });
}

export interface MergeInput {
  personId: string;
  facility: Facility;
  survivor: RecordRef;
  merged: RecordRef;
  sentMs: number;
}

/** A40: MRG-1 names the duplicate MRN folded into the surviving PID-3. */
export function mergeDraft(sim: SimContext, rng: Rng, m: MergeInput): Draft {
  const type = 'ADT^A40';
  const demographics = m.survivor.truth.demographics;
  return sim.add(rng, {
    sentAtMs: m.sentMs,
    facility: m.facility,
    type,
    personId: m.personId,
    facts: [],
    render: (ctx) => [
      msh(ctx, m.facility, type, m.sentMs),
      evn(ctx, 'A40', m.sentMs, m.sentMs),
      pid([m.survivor], demographics),
      seg('MRG', cx(m.merged)),
    ],
  });
}
