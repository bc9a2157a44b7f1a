import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { OperationOutcomeError, invalidIssue, throwIfIssues } from '../fhir/outcomes.js';
import { COMPARISONS, COMPARISON_NAMES } from './comparisons/registry.js';

const probability = z.number().gt(0).lt(1);

export const levelSchema = z.object({
  label: z.string().min(1),
  /** P(level | same person). */
  m: z.number().gt(0).lte(1),
  /** P(level | different people). */
  u: z.number().gt(0).lte(1),
  /** Replace u by the value's frequency in the index when this level is hit (Splink TF). */
  tfAdjust: z.boolean().optional(),
});

export const comparisonModelSchema = z.object({
  name: z.enum(COMPARISON_NAMES),
  description: z.string().optional(),
  levels: z.array(levelSchema).min(2),
}).superRefine((c, ctx) => {
  // Checked here, not on the whole model, so a label error is reported with the model's other errors.
  const expected = COMPARISONS[c.name].levels;
  const got = c.levels.map((l) => l.label);
  if (expected.join('|') !== got.join('|')) {
    ctx.addIssue({ code: 'custom', path: ['levels'], message: `levels of "${c.name}" must be, in order: ${expected.join(', ')} (got ${got.join(', ')})` });
  }
});

export const thresholdSchema = z.union([z.object({ probability }).strict(), z.object({ weight: z.number() }).strict()]);

export const matchModelSchema = z
  .object({
    version: z.string().min(1),
    description: z.string().optional(),
    /** λ: probability that two records drawn at random are the same person. */
    prior: probability,
    thresholds: z.object({ match: thresholdSchema, possible: thresholdSchema }),
    /** Floor on a term frequency so one rare spelling cannot outweigh everything else. */
    tfMinimumU: z.number().gt(0).lt(1).default(0.0001),
    comparisons: z.array(comparisonModelSchema).min(1),
  })
  .superRefine((model, ctx) => {
    model.comparisons.forEach((c, i) => {
      if (model.comparisons.findIndex((o) => o.name === c.name) !== i) {
        ctx.addIssue({ code: 'custom', path: ['comparisons', i, 'name'], message: `comparison "${c.name}" appears twice` });
      }
    });
    if (thresholdWeight(model.thresholds.possible) > thresholdWeight(model.thresholds.match)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds', 'possible'], message: 'possible threshold is above the match threshold' });
    }
  });

export type MatchModel = z.infer<typeof matchModelSchema>;
export type LevelModel = z.infer<typeof levelSchema>;
export type Threshold = z.infer<typeof thresholdSchema>;

/** A threshold as a match weight (log2 odds), whichever unit the file used. */
export function thresholdWeight(t: Threshold): number {
  return 'weight' in t ? t.weight : Math.log2(t.probability / (1 - t.probability));
}

/**
 * Validate a parsed model; every bad value is reported at once as `<source>: <path>: <message>`.
 * See Splink's saved model JSON for the shape this follows.
 */
export function parseMatchModel(json: unknown, source: string): MatchModel {
  const parsed = matchModelSchema.safeParse(json);
  if (!parsed.success) {
    throwIfIssues(
      parsed.error.issues.map((i) => {
        const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
        return invalidIssue(`${source}: ${path || '(root)'}: ${i.message}`, path || undefined);
      }),
    );
  }
  return Object.freeze(parsed.data as MatchModel);
}

export function loadMatchModel(file: string): MatchModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [invalidIssue(`${file}: ${(err as Error).message}`)] });
  }
  return parseMatchModel(json, file);
}
