/**
 * Radiology: ORM^O01 order from the RIS, then ORU^R01 report 2–24 h after the exam. The accession
 * number is OBR-3 (filler) and OBR-18; the DICOM Study Instance UID travels in ZDS-1.
 */
import type { Rng } from '../random.js';
import { HOUR, MINUTE, iso } from '../time.js';
import { recordKey, sec, type PatientView, type SimContext } from '../context.js';
import { radiologyReport } from '../clinical.js';
import { REPORT_FINDINGS_CODE, REPORT_IMPRESSION_CODE, type ImagingProcedure } from '../data/codes.js';
import { esc, msh, pid, pv1, seg, segAt } from '../segments.js';
import type { Draft } from '../types.js';

/** 2.25.<decimal> is the DICOM root for UIDs minted without a registered org root (PS3.5 B.2). */
function studyUid(rng: Rng): string {
  let digits = String(rng.int(1, 9));
  for (let i = 0; i < 37; i++) digits += String(rng.int(0, 9));
  return `2.25.${digits}`;
}

export interface ImagingStudy {
  orderDraft: Draft;
  reportDraft: Draft;
}

export function imagingDrafts(sim: SimContext, rng: Rng, p: PatientView, proc: ImagingProcedure, orderedMs: number): ImagingStudy {
  const accession = `A${String(sim.nextId('accession')).padStart(7, '0')}`;
  const placer = `${p.visit.facility[0]}R${sim.nextId('rad-placer')}`;
  const uid = studyUid(rng);
  const examMs = sec(orderedMs + rng.real(0.5, 6) * HOUR);
  const reportMs = sec(examMs + rng.real(2, 24) * HOUR);
  const reportSentMs = sec(reportMs + rng.real(0, 5) * MINUTE);
  const orderSentMs = sec(orderedMs + rng.real(0, 2) * MINUTE);
  const lines = radiologyReport(rng, proc, p.state.severity, p.state.diagnosis.display);
  const demographics = p.demographics;
  const visit = { ...p.visit };
  const proc4 = `${proc.loinc}^${esc(proc.display)}^LN`;
  const zds = seg('ZDS', `${uid}^RIS^Application^DICOM`);
  const orderDraft = sim.add(rng, {
    sentAtMs: orderSentMs,
    facility: 'RAD',
    type: 'ORM^O01',
    personId: p.personId,
    facts: [],
    render: (ctx) => [
      msh(ctx, 'RAD', 'ORM^O01', orderSentMs),
      pid(p.ids, demographics),
      pv1(ctx, visit),
      segAt('ORC', { 1: 'NW', 2: `${placer}^${visit.facility}`, 3: `${accession}^RAD`, 5: 'SC', 9: ctx.ts(orderedMs) }),
      segAt('OBR', { 1: 1, 2: `${placer}^${visit.facility}`, 3: `${accession}^RAD`, 4: proc4, 6: ctx.ts(orderedMs), 18: accession, 24: proc.modality }),
      zds,
    ],
  });
  const impression = lines[lines.length - 1];
  const reportDraft = sim.add(rng, {
    sentAtMs: reportSentMs,
    facility: 'RAD',
    type: 'ORU^R01',
    personId: p.personId,
    facts: [{ personId: p.personId, record: recordKey(p), facility: 'RAD', modality: 'imaging', code: proc.loinc, value: impression, clinicalTime: iso(examMs) }],
    render: (ctx) => [
      msh(ctx, 'RAD', 'ORU^R01', reportSentMs),
      pid(p.ids, demographics),
      pv1(ctx, visit),
      segAt('ORC', { 1: 'RE', 2: `${placer}^${visit.facility}`, 3: `${accession}^RAD`, 5: 'CM' }),
      segAt('OBR', {
        1: 1, 2: `${placer}^${visit.facility}`, 3: `${accession}^RAD`, 4: proc4, 7: ctx.ts(examMs), 18: accession,
        22: ctx.ts(reportMs), 24: proc.modality, 25: 'F',
      }),
      zds,
      ...lines.map((line, i) => {
        const code = i === lines.length - 1 ? REPORT_IMPRESSION_CODE : REPORT_FINDINGS_CODE;
        return segAt('OBX', { 1: i + 1, 2: 'TX', 3: `${code.code}^${code.display}^LN`, 5: esc(line), 11: 'F', 14: ctx.ts(examMs) });
      }),
    ],
  });
  return { orderDraft, reportDraft };
}
