import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import { MODALITIES, type Modality } from '../../timeline/timeline-event.js';
import { modalityResult, throwIfAborted, type Assessment, type ModelBackend, type QualitativeRisk } from '../model-backend.js';
import { specialistX, stack, stackerOptionsSchema, type SpecialistInput, type StackerOptions } from './stacker-model.js';

async function runSpecialist(s: StackerOptions['specialists'][number], backend: ModelBackend, bundle: AlignedBundle, o: StackerOptions, signal?: AbortSignal): Promise<SpecialistInput> {
  const m = modalityResult(bundle, s.modality);
  if (m?.status === 'error') return { spec: s, reason: `${s.modality} source failed`, failed: true };
  const usable = m?.status === 'present' || (o.acceptStale && m?.status === 'stale');
  if (!usable) return { spec: s, reason: `${s.modality} ${m ? m.status : 'not in bundle'}` };
  try {
    const out = await backend.assess(bundle, signal);
    const x = specialistX(s, out);
    return x === undefined ? { spec: s, reason: `${s.model} gave no ${s.input} (${out.grade ?? 'no result'})` } : { spec: s, x, basis: out.basis ?? [] };
  } catch (err) {
    return { spec: s, reason: `${s.model} failed: ${(err as Error).message}`, failed: true };
  }
}

function errorOf(inputs: readonly SpecialistInput[], m: Modality): { error?: string } {
  const failures = inputs.filter((i) => i.failed && i.spec.modality === m).map((i) => i.reason);
  return failures.length ? { error: failures.join('; ') } : {};
}

/**
 * Late fusion over specialist backends (HAIM-style stacking, notes/fusion.md §6.5). The specialists
 * are resolved by name at load time, so a misconfigured stacker fails at start, not per request.
 */
export function createStackerBackend(name: string, rawOptions: unknown, resolve: (model: string) => ModelBackend): ModelBackend {
  const options = Object.freeze(stackerOptionsSchema.parse(rawOptions));
  const specialists = options.specialists.map((s) => ({ spec: s, backend: resolve(s.model) }));
  const uses = MODALITIES.filter((m) => options.specialists.some((s) => s.modality === m));
  return Object.freeze({
    name,
    capabilities: Object.freeze({ needs: [] as Modality[], uses }),
    async assess(bundle: AlignedBundle, signal?: AbortSignal): Promise<Assessment> {
      throwIfAborted(signal);
      const inputs = await Promise.all(specialists.map(({ spec, backend }) => runSpecialist(spec, backend, bundle, options, signal)));
      throwIfAborted(signal);
      const r = stack(options, inputs);
      const missing = uses.filter((m) => r.mask[m] !== 1);
      const t = options.riskThresholds;
      const risk: QualitativeRisk = r.probability >= t.high ? 'high' : r.probability >= t.moderate ? 'moderate' : 'low';
      return {
        probability: r.probability,
        outcome: options.outcome,
        grade: risk,
        risk,
        attribution: uses.map((m) => ({
          modality: m,
          contribution: r.terms.filter((x) => x.modality === m).reduce((a, x) => a + x.contribution, 0),
          present: r.mask[m] === 1,
          ...errorOf(inputs, m),
        })),
        missing,
        details: { intercept: options.intercept, logit: r.logit, mask: r.mask, terms: r.terms, weightsSource: options.weightsSource },
        warnings: r.terms.filter((x) => !x.present).map((x) => `${x.modality} missing (${x.reason}): contributes 0, not imputed`),
        basis: [...new Set(inputs.flatMap((i) => i.basis ?? []))].sort(),
      };
    },
  });
}
