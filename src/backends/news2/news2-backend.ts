import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import { CODE_SYSTEM } from '../../fusion/fhir-urls.js';
import { modalityItems, modalityResult, throwIfAborted, type Assessment, type ModelBackend, type QualitativeRisk } from '../model-backend.js';
import { extractNews2Inputs, news2OptionsSchema, type News2Options } from './news2-inputs.js';
import { scoreNews2, type News2Band } from './news2-score.js';

export const NEWS2_OUTCOME = { system: CODE_SYSTEM.modelOutcome, code: 'clinical-deterioration', display: 'Acute clinical deterioration (NEWS2)' };

const RISK: Record<News2Band, QualitativeRisk> = { low: 'low', 'low-medium': 'moderate', medium: 'moderate', high: 'high' };
const USABLE = new Set(['present', 'stale']);

/**
 * NEWS2 over the vitals modality. Rule for missing parameters: a score only when all seven are
 * present; otherwise grade `partial`, no score, the sum of the present sub-scores in
 * details.partialSum and a warning naming what is missing. Never a silent zero.
 */
export function createNews2Backend(name: string, rawOptions: unknown = {}): ModelBackend {
  const options: News2Options = Object.freeze(news2OptionsSchema.parse(rawOptions));
  return Object.freeze({
    name,
    capabilities: Object.freeze({ needs: ['vitals' as const], uses: [] }),
    async assess(bundle: AlignedBundle, signal?: AbortSignal): Promise<Assessment> {
      throwIfAborted(signal);
      const vitals = modalityResult(bundle, 'vitals');
      if (!vitals || !USABLE.has(vitals.status)) {
        return {
          outcome: NEWS2_OUTCOME,
          grade: 'not-assessed',
          attribution: [{ modality: 'vitals', contribution: 0, present: false }],
          missing: ['vitals'],
          warnings: [`vitals ${vitals ? `${vitals.status}: ${vitals.reason}` : 'not in the bundle'}`],
        };
      }
      const { inputs, used, warnings } = extractNews2Inputs(modalityItems(bundle, 'vitals'), options);
      const r = scoreNews2(inputs, options.spo2Scale);
      if (vitals.status === 'stale') warnings.push(`vitals are stale: ${vitals.reason}`);
      if (r.missing.length > 0) warnings.push(`NEWS2 not scored: missing ${r.missing.join(', ')}; partial sum ${r.partialSum} of the present parameters`);
      const details = {
        complete: r.total !== undefined,
        spo2Scale: r.scale,
        subScores: r.subScores,
        partialSum: r.partialSum,
        missingParameters: r.missing,
        values: Object.fromEntries(Object.entries(used).map(([p, e]) => [p, { value: inputs[p as keyof typeof inputs], eventId: e.id, clinicalTime: e.clinicalStart }])),
      };
      return {
        ...(r.total !== undefined ? { score: r.total } : {}),
        outcome: NEWS2_OUTCOME,
        grade: r.band ?? 'partial',
        ...(r.band ? { risk: RISK[r.band] } : {}),
        attribution: [{ modality: 'vitals', contribution: r.total ?? r.partialSum, present: true }],
        missing: [],
        details,
        warnings,
        basis: Object.values(used).map((e) => e.id),
      };
    },
  });
}
