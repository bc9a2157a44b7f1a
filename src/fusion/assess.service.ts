import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { z } from 'zod';
import type { BackendRegistry } from '../backends/registry.js';
import { toRiskAssessment, type RiskAssessmentOutput } from '../backends/risk-assessment.js';
import type { Assessment } from '../backends/model-backend.js';
import { OperationOutcomeError } from '../fhir/outcomes.js';
import { modalitySchema } from '../timeline/timeline-event.js';
import type { AlignedBundle } from './aligned-bundle.types.js';
import { alignedBundleFor, type AlignedBundleDeps, type AlignedBundleParams } from './aligned-bundle.service.js';

export interface AssessDeps extends AlignedBundleDeps {
  backends: BackendRegistry;
  /** Per backend call; default 5 s. */
  timeoutMs?: number;
}

export interface AssessParams extends Omit<AlignedBundleParams, 'spec'> {
  model: string;
  /** Default: the model's configured spec, else `default`. */
  spec?: string;
}

export interface AssessResult extends RiskAssessmentOutput {
  bundle: AlignedBundle;
  assessment: Assessment;
}

/** What a backend must return; anything else is garbage and is reported, never passed on. */
const finite = z.number().refine(Number.isFinite, 'a finite number');
const assessmentSchema = z.object({
  score: finite.optional(),
  probability: finite.min(0).max(1).optional(),
  outcome: z.object({ system: z.string().min(1), code: z.string().min(1), display: z.string() }),
  grade: z.string().optional(),
  risk: z.enum(['negligible', 'low', 'moderate', 'high', 'certain']).optional(),
  attribution: z.array(z.object({ modality: modalitySchema, contribution: finite, present: z.boolean(), error: z.string().optional() })),
  missing: z.array(modalitySchema),
  details: z.record(z.string(), z.unknown()).optional(),
  warnings: z.array(z.string()),
  basis: z.array(z.string()).optional(),
});

function fail(code: OperationOutcomeIssue['code'], text: string, expression?: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text }, ...(expression ? { expression: [expression] } : {}) }] });
}

/** Run a backend under a deadline: the signal asks it to stop; the race makes sure we stop waiting. */
async function withTimeout(name: string, ms: number, run: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = fail('timeout', `model "${name}" did not answer within ${ms} ms`, 'model');
      ctrl.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([run(ctrl.signal), deadline]);
  } catch (err) {
    if (err instanceof OperationOutcomeError) throw err;
    throw fail('exception', `model "${name}" failed: ${(err as Error)?.message ?? String(err)}`, 'model');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `$assess` (issue 5 §6): the aligned bundle under the model's spec, the backend under a deadline, a
 * RiskAssessment (status preliminary) and its Provenance. A timeout, a thrown error or a malformed
 * result becomes an OperationOutcome naming the model; it never crashes the server.
 */
export async function assessFor(deps: AssessDeps, params: AssessParams): Promise<AssessResult> {
  if (!params.model) throw fail('invalid', 'model is required', 'model');
  const known = deps.backends.names();
  if (!known.includes(params.model)) throw fail('invalid', `unknown model "${params.model}"; known models: ${known.join(', ')}`, 'model');
  const config = deps.backends.config(params.model);
  const backend = deps.backends.get(params.model);
  const bundle = await alignedBundleFor(deps, { ...params, spec: params.spec ?? config.spec ?? 'default' });
  const raw = await withTimeout(params.model, deps.timeoutMs ?? 5000, (signal) => backend.assess(bundle, signal));
  const parsed = assessmentSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ');
    throw fail('exception', `model "${params.model}" returned an invalid result: ${why}`, 'model');
  }
  const assessment = parsed.data as Assessment;
  const out = toRiskAssessment(assessment, bundle, { name: config.name, ...(config.version ? { version: config.version } : {}) }, deps.now().toISOString());
  return { ...out, bundle, assessment };
}
