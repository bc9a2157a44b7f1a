import { z } from 'zod';
import { modalitySchema } from '../../timeline/timeline-event.js';

/** How one feature is read from its modality's items in the aligned bundle. */
export const FEATURE_SELECTIONS = ['latest', 'min', 'max', 'mean', 'count', 'age-hours', 'present'] as const;
export type FeatureSelection = (typeof FEATURE_SELECTIONS)[number];

/** Selections that read item values (and so a unit); the rest read only that items exist. */
export const VALUE_SELECTIONS: readonly FeatureSelection[] = ['latest', 'min', 'max', 'mean'];

const codingSchema = z.strictObject({ system: z.string().min(1), code: z.string().min(1) });
const outcomeSchema = z.strictObject({ system: z.string().min(1), code: z.string().min(1), display: z.string().min(1) });

/**
 * What the model receives when a feature has no value. Always declared, never guessed: `fill` puts
 * the declared value in the column; `indicator` does the same and adds a `<name>:missing` column
 * (1 = missing) right after it, so the model can tell a filled value from a measured one.
 */
export const missingPolicySchema = z.discriminatedUnion('policy', [
  z.strictObject({ policy: z.literal('fill'), value: z.number() }),
  z.strictObject({ policy: z.literal('indicator'), value: z.number() }),
]);
export type MissingPolicy = z.infer<typeof missingPolicySchema>;

/** value in the declared unit = (value + add) × multiply, for items reported in `unit`. */
const conversionSchema = z.strictObject({ unit: z.string().min(1), add: z.number().default(0), multiply: z.number().default(1) });

export const featureSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens'),
    modality: modalitySchema,
    codes: z.array(codingSchema).min(1),
    selection: z.enum(FEATURE_SELECTIONS),
    /** The unit the model expects (UCUM as the timeline stores it); required for value selections. */
    unit: z.string().min(1).optional(),
    convert: z.array(conversionSchema).default([]),
    missing: missingPolicySchema,
  })
  .refine((f) => !VALUE_SELECTIONS.includes(f.selection) || f.unit !== undefined, { message: 'a value selection needs the unit the model expects', path: ['unit'] });
export type FeatureSpec = z.infer<typeof featureSchema>;

/**
 * Options every tabular model backend (ONNX, Open Inference Protocol) shares: the declared features
 * in column order, the tensor names, how to read the output, and what the output means.
 */
export const tabularOptionsShape = {
  outcome: outcomeSchema,
  /** Where the weights came from (fitted on what, when); shown in details so nobody mistakes them. */
  weightsSource: z.string().min(1),
  features: z
    .array(featureSchema)
    .min(1)
    .refine((fs) => new Set(fs.map((f) => f.name)).size === fs.length, 'feature names must be unique'),
  input: z.strictObject({ name: z.string().min(1) }),
  output: z.strictObject({
    name: z.string().min(1),
    /** Which value of each row's output is the outcome's probability (e.g. 1 for [p0, p1]). */
    index: z.number().int().min(0).default(0),
    /** `logit` when the graph stops before the sigmoid. */
    scale: z.enum(['probability', 'logit']).default('probability'),
  }),
  /** Use a `stale` modality's items; by default a stale modality's features count as missing. */
  acceptStale: z.boolean().default(false),
  riskThresholds: z
    .strictObject({ moderate: z.number().gt(0).lt(1), high: z.number().gt(0).lt(1) })
    .refine((t) => t.moderate < t.high, 'moderate must be below high')
    .default({ moderate: 0.1, high: 0.3 }),
};
export const tabularOptionsSchema = z.strictObject(tabularOptionsShape);
export type TabularOptions = z.infer<typeof tabularOptionsSchema>;

/** The input columns in order: each feature, followed by its indicator when its policy has one. */
export function featureColumns(features: readonly FeatureSpec[]): string[] {
  return features.flatMap((f) => (f.missing.policy === 'indicator' ? [f.name, `${f.name}:missing`] : [f.name]));
}
