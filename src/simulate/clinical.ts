/**
 * Clinical content: plausible values that move with how sick the patient is, so downstream models
 * see signal rather than white noise. Values are drawn around a healthy mean shifted by severity (0–1).
 */
import type { Rng } from './random.js';
import { ANALYTES, type Analyte, type Diagnosis, type ImagingProcedure } from './data/codes.js';

export interface ClinicalState {
  severity: number;
  age: number;
  sex: 'M' | 'F';
  diagnosis: Diagnosis;
  comorbidities: readonly Diagnosis[];
}

export interface LabValue {
  key: string;
  analyte: Analyte;
  value: number;
  text: string;
  flag: '' | 'L' | 'H' | 'LL' | 'HH';
}

export function flagFor(a: Analyte, v: number): LabValue['flag'] {
  if (a.critLow !== undefined && v < a.critLow) return 'LL';
  if (a.critHigh !== undefined && v > a.critHigh) return 'HH';
  if (v < a.low) return 'L';
  if (v > a.high) return 'H';
  return '';
}

export function labValue(rng: Rng, key: string, severity: number): LabValue {
  const analyte = ANALYTES[key];
  const mean = analyte.mean + analyte.sickShift * analyte.sd * severity;
  const floor = analyte.decimals === 0 ? 1 : 10 ** -analyte.decimals;
  const value = Math.max(floor, Number(rng.normal(mean, analyte.sd).toFixed(analyte.decimals)));
  return { key, analyte, value, text: value.toFixed(analyte.decimals), flag: flagFor(analyte, value) };
}

export const ACVPU = ['A', 'C', 'V', 'P', 'U'] as const;
const ACVPU_TEXT = { A: 'Alert', C: 'New confusion', V: 'Responds to voice', P: 'Responds to pain', U: 'Unresponsive' };
export const acvpuText = (c: (typeof ACVPU)[number]): string => ACVPU_TEXT[c];

export interface VitalSet {
  heartRate: number;
  respRate: number;
  spo2: number;
  systolic: number;
  diastolic: number;
  temperature: number;
  consciousness: (typeof ACVPU)[number];
  supplementalO2: boolean;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export function vitalSet(rng: Rng, severity: number): VitalSet {
  const s = severity;
  const systolic = Math.round(clamp(rng.normal(124 - 30 * s * s, 12), 70, 210));
  return {
    heartRate: Math.round(clamp(rng.normal(76 + 35 * s, 9), 38, 180)),
    respRate: Math.round(clamp(rng.normal(15 + 9 * s, 2), 8, 40)),
    spo2: Math.round(clamp(rng.normal(97.5 - 6 * s, 1.5), 78, 100)),
    systolic,
    diastolic: Math.round(clamp(systolic * rng.real(0.55, 0.68), 35, 130)),
    temperature: Number(clamp(rng.normal(36.8 + 1.6 * s, 0.35), 34.5, 41.5).toFixed(1)),
    consciousness: s > 0.85 && rng.chance(0.3) ? rng.pick(['C', 'V', 'P'] as const) : 'A',
    supplementalO2: rng.chance(0.05 + 0.7 * s),
  };
}

const NORMAL_FINDINGS: Readonly<Record<string, readonly string[]>> = {
  chest: ['Lungs are clear.', 'No pleural effusion or pneumothorax.', 'Heart size is normal.'],
  head: ['No acute intracranial hemorrhage.', 'Gray-white differentiation is preserved.', 'Ventricles are normal in size.'],
  abdomen: ['Liver is normal in size and echotexture.', 'No gallstones.', 'No hydronephrosis.'],
  brain: ['No restricted diffusion.', 'No mass effect or midline shift.'],
};
const ABNORMAL_FINDINGS: Readonly<Record<string, readonly string[]>> = {
  chest: ['Patchy consolidation in the right lower lobe.', 'Small bilateral pleural effusions, R&L.', 'Mild pulmonary vascular congestion.'],
  head: ['Chronic small vessel ischemic changes.', 'Small subdural collection along the left convexity.'],
  abdomen: ['Gallbladder wall thickening with pericholecystic fluid.', 'Mild hydronephrosis, R&L kidneys.'],
  brain: ['Small acute infarct in the left MCA territory.', 'Scattered T2/FLAIR white matter hyperintensities.'],
};

export function radiologyReport(rng: Rng, proc: ImagingProcedure, severity: number, indication: string): string[] {
  const abnormal = rng.chance(0.15 + 0.6 * severity);
  const findings = abnormal ? [rng.pick(ABNORMAL_FINDINGS[proc.region]), ...NORMAL_FINDINGS[proc.region].slice(1)] : [...NORMAL_FINDINGS[proc.region]];
  return [
    `EXAM: ${proc.display}`,
    `INDICATION: ${indication}`,
    'COMPARISON: None available.',
    'FINDINGS:',
    ...findings,
    'IMPRESSION:',
    abnormal ? findings[0] : `No acute ${proc.region} abnormality.`,
  ];
}

export type NoteKindText = 'hp' | 'progress' | 'consult' | 'ed' | 'discharge';

/** Paragraphs of a note; a paragraph may hold `\n`, written as `\.br\` on the wire. */
export function noteText(rng: Rng, kind: NoteKindText, st: ClinicalState, dayOfStay: number): string[] {
  const who = `${st.age} y.o. ${st.sex === 'M' ? 'man' : 'woman'}`;
  const pmh = st.comorbidities.length ? st.comorbidities.map((d) => d.display).join('; ') : 'none';
  switch (kind) {
    case 'hp':
    case 'ed':
      return [
        `HPI: ${who} presenting with ${st.diagnosis.display.toLowerCase()}.`,
        `PMH: ${pmh}.`,
        `Assessment & Plan:\n1. ${st.diagnosis.display} - ${rng.pick(['start treatment per protocol', 'monitor closely', 'consult specialty service'])}.\n2. VTE prophylaxis.`,
      ];
    case 'progress':
      if (dayOfStay < 0) return [`Clinic follow-up, ${who}. ${rng.pick(['Doing well.', 'Some fatigue.', 'No new complaints.'])}`, `PMH: ${pmh}.`];
      return [
        `Hospital day ${dayOfStay + 1}. ${rng.pick(['Feels better today.', 'Slept poorly overnight.', 'No acute events overnight.', 'Reports mild pain.'])}`,
        `A&P: ${st.diagnosis.display} - ${st.severity > 0.6 ? 'remains unwell, continue current management' : 'improving'}.`,
      ];
    case 'consult':
      return [`Asked to see this ${who} re: ${st.diagnosis.display.toLowerCase()}.`, `Recommendations:\n- ${rng.pick(['Repeat labs in AM', 'Imaging as ordered', 'Adjust antibiotics per cultures'])}`];
    case 'discharge':
      return [
        `Admitted for ${st.diagnosis.display.toLowerCase()}; course ${st.severity > 0.7 ? 'complicated' : 'uncomplicated'}.`,
        `Discharge condition: ${rng.pick(['stable', 'improved', 'good'])}. Follow up with PCP in 1-2 weeks.`,
      ];
  }
}
