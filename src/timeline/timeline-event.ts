import type { Resource } from '@medplum/fhirtypes';
import { z } from 'zod';

/**
 * The input modalities a fusion spec can align. `ecg` is deliberately absent: Sinew has no waveform
 * pathway yet (no HL7 aECG, DICOM waveform or FHIR SampledData ingest), so an `ecg` modality could
 * only ever be `absent`, which would corrupt missingness statistics. ECG *reports* arrive as notes or
 * Observations today; add `ecg` when waveforms are ingested.
 */
export const MODALITIES = ['labs', 'vitals', 'imaging', 'notes', 'medications', 'problems'] as const;
export type Modality = (typeof MODALITIES)[number];
export const modalitySchema = z.enum(MODALITIES);

export interface TimelineCoding {
  system: string;
  code: string;
  display?: string;
}

/**
 * One normalized value. Panels (e.g. blood pressure 85354-9) are split into one event per component
 * (systolic 8480-6) by the normalizer, so a value is always a scalar or a coded answer.
 */
export type EventValue = number | string | boolean | TimelineCoding;

export interface TimelineSource {
  kind: 'hl7v2' | 'fhir';
  /** MSH-10 for HL7 v2; Bundle/transaction id or request id for FHIR. */
  messageId?: string;
  /** Sending application/facility or FHIR server base. */
  system?: string;
}

/**
 * One version of one clinical fact, as the as-of query returns it. Two clocks (notes/fusion.md §1):
 * `clinicalStart/End` (valid time, e.g. Observation.effective[x]) and `availableAt`
 * (= max(sourceRecordedAt, receivedAt) for live intake; the source's recorded time for backfills).
 * For Condition, `status` carries `clinicalStatus` (active, resolved …); otherwise the resource status.
 */
export interface TimelineEvent {
  id: string;
  /** Source Patient id (the identity layer maps it to the golden record). */
  patientRecord: string;
  encounterId?: string;
  modality: Modality;
  resourceType: string;
  resourceId: string;
  versionId: string;
  code?: TimelineCoding;
  category?: string;
  value?: EventValue;
  unit?: string;
  clinicalStart: string;
  clinicalEnd?: string;
  sourceRecordedAt?: string;
  receivedAt: string;
  availableAt: string;
  status: string;
  /** Timeline row id of the version this one replaces (corrections, entered-in-error). */
  supersedes?: string;
  source: TimelineSource;
  resource?: Resource;
}

/**
 * A fact whose clinical time falls in a window but which was not yet available at the as-of time.
 * Carries no value and no available time: both would leak what was only known later.
 */
export interface PendingEvent {
  modality: Modality;
  resourceType: string;
  code?: TimelineCoding;
  category?: string;
  clinicalStart: string;
  clinicalEnd?: string;
}
