/**
 * KDIGO acute kidney injury staging by serum creatinine only. Source: Kidney Disease: Improving
 * Global Outcomes (KDIGO) Acute Kidney Injury Work Group. KDIGO Clinical Practice Guideline for
 * Acute Kidney Injury. Kidney Int Suppl. 2012;2:1–138, recommendations 2.1.1 (definition) and 2.1.2
 * (Table 2, staging). Urine output criteria and renal replacement therapy are not in the timeline,
 * so stages are creatinine-based lower bounds.
 */
export const UMOL_PER_MG_DL = 88.4;
const HOUR = 3_600_000;
const EPS = 1e-9;

export interface CreatininePoint {
  timeMs: number;
  /** mg/dL */
  value: number;
  eventId: string;
}

export type KdigoStage = 0 | 1 | 2 | 3;

export interface KdigoResult {
  stage: KdigoStage;
  /** The measurement that reached the highest stage, with the values it was judged against. */
  at?: { eventId: string; timeMs: number; value: number; baseline?: number; ratio?: number; rise48h?: number };
  latestStage: KdigoStage;
  criteria: string[];
}

interface PointStage {
  stage: KdigoStage;
  baseline?: number;
  ratio?: number;
  rise48h?: number;
  criteria: string[];
}

/**
 * One measurement against the earlier ones: baseline = lowest value in the prior 7 days (KDIGO
 * 2.1.1: "known or presumed to have occurred within the prior 7 days"); rise = value minus the
 * lowest value in the prior 48 h. The 26.5 µmol/L rise threshold is used for both units (it is
 * 0.2998 mg/dL, so a 0.3 mg/dL rise qualifies as well).
 */
function stageAt(p: CreatininePoint, earlier: readonly CreatininePoint[]): PointStage {
  const prior7d = earlier.filter((q) => q.timeMs < p.timeMs && q.timeMs >= p.timeMs - 7 * 24 * HOUR);
  const prior48h = prior7d.filter((q) => q.timeMs >= p.timeMs - 48 * HOUR);
  if (prior7d.length === 0) return { stage: 0, criteria: [] };
  const baseline = Math.min(...prior7d.map((q) => q.value));
  const ratio = p.value / baseline;
  const rise48h = prior48h.length > 0 ? p.value - Math.min(...prior48h.map((q) => q.value)) : undefined;
  const criteria: string[] = [];
  const riseHit = rise48h !== undefined && rise48h + EPS >= 26.5 / UMOL_PER_MG_DL;
  if (riseHit) criteria.push('rise ≥ 0.3 mg/dL (26.5 µmol/L) within 48 h');
  if (ratio + EPS >= 1.5) criteria.push(`${ratio.toFixed(2)} × baseline within 7 days`);
  if (criteria.length === 0) return { stage: 0, baseline, ratio, ...(rise48h !== undefined ? { rise48h } : {}), criteria };
  let stage: KdigoStage = 1;
  if (ratio + EPS >= 2.0) stage = 2;
  if (ratio + EPS >= 3.0) stage = 3;
  // "Increase in serum creatinine to ≥ 4.0 mg/dl" applies only once AKI is established, so a stable
  // high creatinine (chronic kidney disease) is not stage 3 by itself.
  if (p.value + EPS >= 4.0) {
    stage = 3;
    criteria.push('creatinine ≥ 4.0 mg/dL (353.6 µmol/L) with AKI');
  }
  return { stage, baseline, ratio, ...(rise48h !== undefined ? { rise48h } : {}), criteria };
}

/** The highest stage reached at any measurement of the series (KDIGO stages by the most severe criterion). */
export function kdigoStage(series: readonly CreatininePoint[]): KdigoResult {
  const sorted = [...series].sort((a, b) => a.timeMs - b.timeMs);
  let best: KdigoResult = { stage: 0, latestStage: 0, criteria: [] };
  let latestStage: KdigoStage = 0;
  for (const p of sorted) {
    const s = stageAt(p, sorted);
    latestStage = s.stage;
    if (s.stage > best.stage) {
      best = {
        stage: s.stage,
        at: { eventId: p.eventId, timeMs: p.timeMs, value: p.value, baseline: s.baseline, ratio: s.ratio, rise48h: s.rise48h },
        latestStage: 0,
        criteria: s.criteria,
      };
    }
  }
  return { ...best, latestStage };
}
