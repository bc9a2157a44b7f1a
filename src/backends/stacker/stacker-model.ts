import { z } from 'zod';
import { modalitySchema, type Modality } from '../../timeline/timeline-event.js';

const codingSchema = z.strictObject({ system: z.string().min(1), code: z.string().min(1), display: z.string().min(1) });

/**
 * A logistic late-fusion model: log-odds = intercept + Σ present_m · (weight_s · x_s + presenceWeight_s),
 * where x_s is the specialist's logit (probability) or its standardized score, and present_m is the
 * missingness mask. A missing modality adds exactly 0: the intercept is the all-missing baseline,
 * so nothing is imputed (notes/fusion.md §1.4, §6.5).
 */
export const stackerOptionsSchema = z.strictObject({
  outcome: codingSchema,
  intercept: z.number(),
  /** Where the weights came from (fitted on what, when); shown in details so nobody mistakes them. */
  weightsSource: z.string().min(1),
  acceptStale: z.boolean().default(false),
  riskThresholds: z.strictObject({ moderate: z.number().gt(0).lt(1), high: z.number().gt(0).lt(1) }).default({ moderate: 0.1, high: 0.3 }),
  specialists: z
    .array(
      z.strictObject({
        model: z.string().min(1),
        modality: modalitySchema,
        input: z.enum(['score', 'probability']),
        center: z.number().default(0),
        scale: z.number().positive().default(1),
        weight: z.number(),
        presenceWeight: z.number().default(0),
      }),
    )
    .min(1),
});
export type StackerOptions = z.infer<typeof stackerOptionsSchema>;
export type SpecialistSpec = StackerOptions['specialists'][number];

export interface SpecialistInput {
  spec: SpecialistSpec;
  /** x_s; undefined = this specialist's modality is missing (mask 0). */
  x?: number;
  reason?: string;
  /** The specialist or its source failed (as opposed to the modality being absent). */
  failed?: boolean;
  /** Event ids the specialist's result rests on. */
  basis?: string[];
}

export interface SpecialistTerm {
  model: string;
  modality: Modality;
  present: boolean;
  x?: number;
  contribution: number;
  share: number;
  reason?: string;
}

export interface StackerResult {
  logit: number;
  probability: number;
  terms: SpecialistTerm[];
  mask: Partial<Record<Modality, 0 | 1>>;
}

const PROB_CLAMP = 1e-6;
export const logit = (p: number): number => {
  const q = Math.min(1 - PROB_CLAMP, Math.max(PROB_CLAMP, p));
  return Math.log(q / (1 - q));
};
export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function specialistX(spec: SpecialistSpec, out: { score?: number; probability?: number }): number | undefined {
  if (spec.input === 'probability') return out.probability === undefined ? undefined : logit(out.probability);
  return out.score === undefined ? undefined : (out.score - spec.center) / spec.scale;
}

/** Combine; each term's share is |contribution| / Σ|contribution| (a cheap, Shapley-free split). */
export function stack(options: StackerOptions, inputs: readonly SpecialistInput[]): StackerResult {
  const raw = inputs.map((i) => {
    const present = i.x !== undefined && Number.isFinite(i.x);
    const contribution = present ? i.spec.weight * (i.x as number) + i.spec.presenceWeight : 0;
    return { model: i.spec.model, modality: i.spec.modality, present, ...(present ? { x: i.x } : {}), contribution, ...(i.reason ? { reason: i.reason } : {}) };
  });
  const total = raw.reduce((a, t) => a + Math.abs(t.contribution), 0);
  const terms = raw.map((t) => ({ ...t, share: total > 0 ? Math.abs(t.contribution) / total : 0 }));
  const mask: Partial<Record<Modality, 0 | 1>> = {};
  for (const t of terms) mask[t.modality] = t.present || mask[t.modality] === 1 ? 1 : 0;
  const z = options.intercept + terms.reduce((a, t) => a + t.contribution, 0);
  return { logit: z, probability: sigmoid(z), terms, mask };
}
