import { OperationOutcomeError } from '../../fhir/outcomes.js';
import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import type { Modality } from '../../timeline/timeline-event.js';
import { throwIfAborted, type Assessment, type ModelBackend, type QualitativeRisk } from '../model-backend.js';
import { extractFeatures, featureModalities, inputRows, type InputRows } from './extract-features.js';
import type { TabularOptions } from './feature-spec.js';

/** A model's raw output for a batch: the flat values and the tensor shape. */
export interface OutputTensor {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** Runs the model on a batch of rows (one per input row, columns in feature order). */
export type BatchRunner = (batch: InputRows, signal?: AbortSignal) => Promise<OutputTensor>;

/** A model whose output does not fit its config is a server-side fault, not the caller's. */
function mismatch(text: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text }, expression: ['model'] }] });
}

const P_EPS = 1e-12;
const logit = (p: number) => Math.log(Math.max(P_EPS, Math.min(1 - P_EPS, p)) / (1 - Math.max(P_EPS, Math.min(1 - P_EPS, p))));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Each row's outcome value as log-odds. The output must have one row per input row and the
 * configured index inside each; anything else is a model/config mismatch, reported as such.
 */
export function rowLogits(out: OutputTensor, rows: number, o: TabularOptions['output'], where: string): number[] {
  const total = out.data.length;
  if (out.shape[0] !== rows || total % rows !== 0) throw mismatch(`${where}: output "${o.name}" has shape [${out.shape.join(', ')}] for ${rows} input rows`);
  const width = total / rows;
  if (o.index >= width) throw mismatch(`${where}: output "${o.name}" has ${width} value(s) per row; output.index ${o.index} is out of range`);
  return Array.from({ length: rows }, (_, i) => {
    const v = Number(out.data[i * width + o.index]);
    if (!Number.isFinite(v)) throw mismatch(`${where}: output "${o.name}" row ${i} is not a finite number (${v})`);
    if (o.scale === 'probability' && (v < 0 || v > 1)) throw mismatch(`${where}: output "${o.name}" row ${i} is ${v}, not a probability; set output.scale to "logit" if the model outputs log-odds`);
    return o.scale === 'probability' ? logit(v) : v;
  });
}

/**
 * A model over declared features (ONNX, Open Inference Protocol): extract, run the bundle row and
 * one occluded row per modality in one batch, and attribute by occlusion: a modality's contribution
 * is the log-odds with its features minus the log-odds with them set to their declared missing
 * values. Missing features are filled only as the model file declares, and named in the warnings.
 */
export function createTabularBackend(name: string, options: TabularOptions, run: BatchRunner, where: string): ModelBackend {
  const uses = featureModalities(options.features);
  return Object.freeze({
    name,
    capabilities: Object.freeze({ needs: [] as Modality[], uses }),
    async assess(bundle: AlignedBundle, signal?: AbortSignal): Promise<Assessment> {
      throwIfAborted(signal);
      const { values, warnings } = extractFeatures(bundle, options.features, options.acceptStale);
      const batch = inputRows(options.features, values);
      const logits = rowLogits(await run(batch, signal), batch.rows.length, options.output, where);
      throwIfAborted(signal);
      const z = logits[0] as number;
      const probability = sigmoid(z);
      const present = new Set(values.filter((v) => v.value !== undefined).map((v) => v.modality));
      const t = options.riskThresholds;
      const risk: QualitativeRisk = probability >= t.high ? 'high' : probability >= t.moderate ? 'moderate' : 'low';
      for (const [i, f] of options.features.entries()) {
        const v = values[i];
        if (v?.value !== undefined) continue;
        warnings.push(`${f.name} missing (${v?.reason ?? 'no value'}): declared ${f.missing.policy} value ${f.missing.value}${f.missing.policy === 'indicator' ? ` with ${f.name}:missing = 1` : ''}`);
      }
      return {
        probability,
        outcome: options.outcome,
        grade: risk,
        risk,
        attribution: batch.modalities.map((m, i) => ({ modality: m, contribution: z - (logits[i + 1] as number), present: present.has(m) })),
        missing: uses.filter((m) => !present.has(m)),
        details: {
          logit: z,
          inputs: Object.fromEntries(batch.columns.map((c, i) => [c, batch.rows[0]?.[i]])),
          features: values,
          attributionMethod: 'occlusion: log-odds minus log-odds with the modality\'s features set to their declared missing values',
          weightsSource: options.weightsSource,
        },
        warnings,
        basis: [...new Set(values.flatMap((v) => v.eventIds))].sort(),
      };
    },
  });
}
