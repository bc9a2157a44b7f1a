import type { AlignedBundle, ModalityResult } from '../fusion/aligned-bundle.types.js';
import type { Modality, TimelineCoding, TimelineEvent } from '../timeline/timeline-event.js';

export interface BackendCapabilities {
  /** Without these the backend cannot produce a result (it reports them in `missing`). */
  needs: Modality[];
  /** Used when present, never required. */
  uses: Modality[];
}

/** HL7 risk-probability codes, for RiskAssessment.prediction.qualitativeRisk. */
export const QUALITATIVE_RISKS = ['negligible', 'low', 'moderate', 'high', 'certain'] as const;
export type QualitativeRisk = (typeof QUALITATIVE_RISKS)[number];

export interface ModalityAttribution {
  modality: Modality;
  /** Additive contribution on the backend's own scale (score points, or log-odds for the stacker). */
  contribution: number;
  present: boolean;
  /**
   * Why this modality could not be used although it should have been: its source failed in the
   * bundle, or the specialist reading it failed. A failure is reported, never passed off as absent.
   */
  error?: string;
}

export interface Assessment {
  score?: number;
  probability?: number;
  outcome: { code: string; display: string; system: string };
  grade?: string;
  risk?: QualitativeRisk;
  attribution: ModalityAttribution[];
  missing: Modality[];
  details?: Record<string, unknown>;
  warnings: string[];
  /** Timeline event ids the result rests on (RiskAssessment.basis). */
  basis?: string[];
}

/**
 * A model behind Sinew: it sees only an aligned bundle (backends depend on fusion types only,
 * STYLE.md). Results are decision support for a clinician, never a diagnosis.
 */
export interface ModelBackend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  assess(bundle: AlignedBundle, signal?: AbortSignal): Promise<Assessment>;
}

export function modalityResult(bundle: AlignedBundle, m: Modality): ModalityResult | undefined {
  return bundle.modalities.find((x) => x.name === m);
}

/** The bundle's items of one modality, in the order the modality lists them. */
export function modalityItems(bundle: AlignedBundle, m: Modality): TimelineEvent[] {
  const byId = new Map(bundle.items.map((e) => [e.id, e]));
  return (modalityResult(bundle, m)?.items ?? []).flatMap((ref) => byId.get(ref.eventId) ?? []);
}

export function hasCode(e: TimelineEvent, codes: readonly Pick<TimelineCoding, 'system' | 'code'>[]): boolean {
  return codes.some((c) => c.system === e.code?.system && c.code === e.code?.code);
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('assessment aborted');
}
