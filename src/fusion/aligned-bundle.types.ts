import { z } from 'zod';
import type { EventValue, Modality, PendingEvent, TimelineCoding, TimelineEvent } from '../timeline/timeline-event.js';
import type { FusionSpec } from './spec.js';

/**
 * Per-modality outcome; missingness is an output with a reason (notes/fusion.md §1.4). `pending`
 * is fusion.md's `not-yet-available`; `not-authorized` is never reported as `absent` (§4.1).
 */
export const MODALITY_STATUSES = ['present', 'absent', 'stale', 'pending', 'not-authorized', 'error'] as const;
export type ModalityStatus = (typeof MODALITY_STATUSES)[number];
export const modalityStatusSchema = z.enum(MODALITY_STATUSES);

/** A reference from a modality to one included item, with its clocks relative to the index time. */
export interface AlignedItemRef {
  eventId: string;
  resourceType: string;
  resourceId: string;
  versionId: string;
  code?: TimelineCoding;
  clinicalTime: string;
  availableAt: string;
  /** Index time minus clinical (start) time, in seconds; never negative inside a window. */
  ageSeconds: number;
}

/** One code's values in clinical-time order (selection `trend`). */
export interface TrendSeries {
  code?: TimelineCoding;
  unit?: string;
  points: { clinicalTime: string; ageSeconds: number; value?: EventValue; eventId: string }[];
}

export interface ModalityResult {
  name: Modality;
  status: ModalityStatus;
  reason: string;
  required: boolean;
  /** Absent when the lookback is `all`. Both window bounds are inclusive. */
  windowStart?: string;
  windowEnd: string;
  items: AlignedItemRef[];
  newestAvailableAt?: string;
  count: number;
  pendingCount: number;
  series?: TrendSeries[];
}

export interface AlignedBundle {
  /** sha256 (hex) of patient, index time, as-of, spec name@version and the sorted item versions. */
  id: string;
  patient: string;
  indexTime: string;
  asOf: string;
  /** False when as-of is after the index time: the bundle then shows what is known *now* about T. */
  leakageSafe: boolean;
  spec: { name: string; version: string };
  modalities: ModalityResult[];
  items: TimelineEvent[];
}

export interface BuildAlignedBundleInput {
  /** The Patient id the caller asked for (source or golden record). */
  patient: string;
  indexTime: string;
  /** Defaults to the index time. */
  asOf?: string;
  spec: FusionSpec;
  /** Rows from the as-of query; rows with availableAt > asOf are dropped defensively. */
  events: readonly TimelineEvent[];
  pendingEvents?: readonly PendingEvent[];
  /** Restrict to these modalities (operation parameter `modality`); default: every spec modality. */
  modalities?: readonly Modality[];
  /** A source failed for these modalities: status `error` with this reason. */
  errors?: Partial<Record<Modality, string>>;
  /** The caller may not read these modalities: items dropped, status `not-authorized`. */
  notAuthorized?: Partial<Record<Modality, string>>;
}
