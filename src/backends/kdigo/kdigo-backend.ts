import { z } from 'zod';
import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import { CODE_SYSTEM } from '../../fusion/fhir-urls.js';
import type { TimelineEvent } from '../../timeline/timeline-event.js';
import { hasCode, modalityItems, modalityResult, throwIfAborted, type Assessment, type ModelBackend, type QualitativeRisk } from '../model-backend.js';
import { UMOL_PER_MG_DL, kdigoStage, type CreatininePoint, type KdigoStage } from './kdigo-stage.js';

const LOINC = 'http://loinc.org';
/** Serum/plasma creatinine: 2160-0 in mg/dL, 14682-9 in µmol/L. */
export const CREATININE_MG_DL = { system: LOINC, code: '2160-0' };
export const CREATININE_UMOL_L = { system: LOINC, code: '14682-9' };
export const AKI_OUTCOME = { system: CODE_SYSTEM.modelOutcome, code: 'acute-kidney-injury', display: 'Acute kidney injury (KDIGO creatinine criteria)' };

export const kdigoOptionsSchema = z.strictObject({}).default({});
const RISK: Record<KdigoStage, QualitativeRisk> = { 0: 'low', 1: 'moderate', 2: 'high', 3: 'high' };
const WEEK_S = 7 * 24 * 3600;

function toMgDl(e: TimelineEvent): number | undefined {
  if (typeof e.value !== 'number' || !Number.isFinite(e.value) || e.value <= 0) return undefined;
  const umol = hasCode(e, [CREATININE_UMOL_L]) || /umol|µmol/i.test(e.unit ?? '');
  return umol ? e.value / UMOL_PER_MG_DL : e.value;
}

/** KDIGO AKI stage from the creatinine trend in the labs modality (creatinine criteria only). */
export function createKdigoBackend(name: string, rawOptions: unknown = {}): ModelBackend {
  kdigoOptionsSchema.parse(rawOptions);
  return Object.freeze({
    name,
    capabilities: Object.freeze({ needs: ['labs' as const], uses: [] }),
    async assess(bundle: AlignedBundle, signal?: AbortSignal): Promise<Assessment> {
      throwIfAborted(signal);
      const labs = modalityResult(bundle, 'labs');
      const warnings = ['urine output criteria not assessed (not available); stage is a creatinine-based lower bound'];
      const creat = modalityItems(bundle, 'labs').filter((e) => hasCode(e, [CREATININE_MG_DL, CREATININE_UMOL_L]));
      const points: CreatininePoint[] = creat.flatMap((e) => {
        const v = toMgDl(e);
        return v === undefined ? [] : [{ timeMs: Date.parse(e.clinicalStart), value: v, eventId: e.id }];
      });
      if (creat.length > points.length) warnings.push(`${creat.length - points.length} creatinine value(s) not numeric; ignored`);
      if (!labs || !['present', 'stale'].includes(labs.status) || points.length < 2) {
        const why = !labs ? 'labs not in the bundle' : labs.status !== 'present' && labs.status !== 'stale' ? `labs ${labs.status}: ${labs.reason}` : `${points.length} creatinine value(s) in window; a trend needs 2`;
        return { outcome: AKI_OUTCOME, grade: 'not-assessed', attribution: [{ modality: 'labs', contribution: 0, present: false }], missing: ['labs'], warnings: [...warnings, why], basis: points.map((p) => p.eventId) };
      }
      if (labs.status === 'stale') warnings.push(`labs are stale: ${labs.reason}`);
      const lookbackS = labs.windowStart ? (Date.parse(labs.windowEnd) - Date.parse(labs.windowStart)) / 1000 : Infinity;
      if (lookbackS < WEEK_S) warnings.push(`baseline taken from a ${Math.round(lookbackS / 3600)} h window, shorter than KDIGO's 7 days (use spec "aki")`);
      const r = kdigoStage(points);
      return {
        score: r.stage,
        outcome: AKI_OUTCOME,
        grade: r.stage === 0 ? 'no-aki' : `stage-${r.stage}`,
        risk: RISK[r.stage],
        attribution: [{ modality: 'labs', contribution: r.stage, present: true }],
        missing: [],
        details: {
          stage: r.stage,
          latestStage: r.latestStage,
          criteria: r.criteria,
          ...(r.at ? { at: { ...r.at, time: new Date(r.at.timeMs).toISOString() } } : {}),
          series: [...points].sort((a, b) => a.timeMs - b.timeMs).map((p) => ({ time: new Date(p.timeMs).toISOString(), mgDl: Math.round(p.value * 1000) / 1000, eventId: p.eventId })),
        },
        warnings,
        basis: points.map((p) => p.eventId),
      };
    },
  });
}
