/**
 * National Early Warning Score 2, scored exactly as the chart in: Royal College of Physicians.
 * National Early Warning Score (NEWS) 2: Standardising the assessment of acute-illness severity in
 * the NHS. Updated report of a working party. London: RCP, 2017 (Chart 1: the NEWS2 scoring system;
 * Chart 2: thresholds and triggers). https://www.rcp.ac.uk/improving-care/resources/national-early-warning-score-news-2/
 */
export const NEWS2_PARAMETERS = ['respirationRate', 'spo2', 'supplementalOxygen', 'systolicBp', 'pulse', 'consciousness', 'temperature'] as const;
export type News2Parameter = (typeof NEWS2_PARAMETERS)[number];

/** ACVPU: Alert, new Confusion, Voice, Pain, Unresponsive (RCP 2017 added C to AVPU). */
export type Acvpu = 'A' | 'C' | 'V' | 'P' | 'U';
export type SpO2Scale = 1 | 2;

export interface News2Inputs {
  respirationRate?: number;
  spo2?: number;
  supplementalOxygen?: boolean;
  systolicBp?: number;
  pulse?: number;
  consciousness?: Acvpu;
  temperature?: number;
}

/** Chart 2: 0–4 low; a 3 in any single parameter low–medium; 5–6 medium; ≥ 7 high. */
export const NEWS2_BANDS = ['low', 'low-medium', 'medium', 'high'] as const;
export type News2Band = (typeof NEWS2_BANDS)[number];

export interface News2Result {
  /** Only when all seven parameters were scored: a partial sum is not a NEWS2 score. */
  total?: number;
  band?: News2Band;
  partialSum: number;
  subScores: Partial<Record<News2Parameter, number>>;
  missing: News2Parameter[];
  scale: SpO2Scale;
}

// The chart is drawn on whole numbers (temperature to 0.1 °C); round first so that, say,
// RR 20.4 falls in 12–20 rather than in the gap between printed bands.
const whole = Math.round;
const tenth = (x: number): number => Math.round(x * 10) / 10;

export function scoreRespirationRate(rr: number): number {
  const v = whole(rr);
  return v <= 8 ? 3 : v <= 11 ? 1 : v <= 20 ? 0 : v <= 24 ? 2 : 3;
}

/** SpO2 scale 1: ≤ 91 → 3, 92–93 → 2, 94–95 → 1, ≥ 96 → 0. */
export function scoreSpO2Scale1(spo2: number): number {
  const v = whole(spo2);
  return v <= 91 ? 3 : v <= 93 ? 2 : v <= 95 ? 1 : 0;
}

/**
 * SpO2 scale 2, for hypercapnic respiratory failure with a prescribed 88–92 % target (a clinician's
 * per-patient decision): ≤ 83 → 3, 84–85 → 2, 86–87 → 1, 88–92 or ≥ 93 on air → 0; on oxygen
 * 93–94 → 1, 95–96 → 2, ≥ 97 → 3. Undefined when ≥ 93 and the oxygen status is unknown.
 */
export function scoreSpO2Scale2(spo2: number, onOxygen: boolean | undefined): number | undefined {
  const v = whole(spo2);
  if (v <= 83) return 3;
  if (v <= 85) return 2;
  if (v <= 87) return 1;
  if (v <= 92) return 0;
  if (onOxygen === undefined) return undefined;
  if (!onOxygen) return 0;
  return v <= 94 ? 1 : v <= 96 ? 2 : 3;
}

export function scoreSupplementalOxygen(onOxygen: boolean): number {
  return onOxygen ? 2 : 0;
}

export function scoreSystolicBp(sbp: number): number {
  const v = whole(sbp);
  return v <= 90 ? 3 : v <= 100 ? 2 : v <= 110 ? 1 : v <= 219 ? 0 : 3;
}

export function scorePulse(pulse: number): number {
  const v = whole(pulse);
  return v <= 40 ? 3 : v <= 50 ? 1 : v <= 90 ? 0 : v <= 110 ? 1 : v <= 130 ? 2 : 3;
}

export function scoreConsciousness(c: Acvpu): number {
  return c === 'A' ? 0 : 3;
}

export function scoreTemperature(celsius: number): number {
  const v = tenth(celsius);
  return v <= 35.0 ? 3 : v <= 36.0 ? 1 : v <= 38.0 ? 0 : v <= 39.0 ? 1 : 2;
}

export function news2Band(total: number, subScores: readonly number[]): News2Band {
  if (total >= 7) return 'high';
  if (total >= 5) return 'medium';
  return subScores.some((s) => s === 3) ? 'low-medium' : 'low';
}

/** Score what is present; report the rest as missing, never as zero. */
export function scoreNews2(inputs: News2Inputs, scale: SpO2Scale = 1): News2Result {
  const sub: Partial<Record<News2Parameter, number>> = {};
  const i = inputs;
  if (i.respirationRate !== undefined) sub.respirationRate = scoreRespirationRate(i.respirationRate);
  if (i.spo2 !== undefined) {
    const s = scale === 1 ? scoreSpO2Scale1(i.spo2) : scoreSpO2Scale2(i.spo2, i.supplementalOxygen);
    if (s !== undefined) sub.spo2 = s;
  }
  if (i.supplementalOxygen !== undefined) sub.supplementalOxygen = scoreSupplementalOxygen(i.supplementalOxygen);
  if (i.systolicBp !== undefined) sub.systolicBp = scoreSystolicBp(i.systolicBp);
  if (i.pulse !== undefined) sub.pulse = scorePulse(i.pulse);
  if (i.consciousness !== undefined) sub.consciousness = scoreConsciousness(i.consciousness);
  if (i.temperature !== undefined) sub.temperature = scoreTemperature(i.temperature);
  const missing = NEWS2_PARAMETERS.filter((p) => sub[p] === undefined);
  const scores = Object.values(sub);
  const partialSum = scores.reduce((a, b) => a + b, 0);
  if (missing.length > 0) return { partialSum, subScores: sub, missing, scale };
  return { total: partialSum, band: news2Band(partialSum, scores), partialSum, subScores: sub, missing, scale };
}
