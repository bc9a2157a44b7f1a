import type { Observation } from '@medplum/fhirtypes';
import type { Modality, TimelineEvent } from '../../src/timeline/timeline-event.js';

const LOINC = 'http://loinc.org';

/** Hours relative to a fixed index time, as ISO strings: `at(-2)` is two hours before. */
export const INDEX_TIME = '2024-03-10T12:00:00.000Z';
export function at(hoursFromIndex: number, base = INDEX_TIME): string {
  return new Date(Date.parse(base) + hoursFromIndex * 3_600_000).toISOString();
}

export interface EventSeed {
  id: string;
  modality?: Modality;
  resourceType?: string;
  code?: string;
  value?: TimelineEvent['value'];
  unit?: string;
  clinicalHours: number;
  availableHours?: number;
  versionId?: string;
  resourceId?: string;
  status?: string;
  supersedes?: string;
  withResource?: boolean;
}

/** A timeline row for tests, with an Observation body when asked (for FHIR validation). */
export function makeEvent(s: EventSeed): TimelineEvent {
  const clinicalStart = at(s.clinicalHours);
  const availableAt = at(s.availableHours ?? s.clinicalHours);
  const resourceType = s.resourceType ?? 'Observation';
  const resourceId = s.resourceId ?? s.id;
  const versionId = s.versionId ?? '1';
  const code = s.code ? { system: LOINC, code: s.code } : undefined;
  const resource: Observation | undefined =
    s.withResource && resourceType === 'Observation'
      ? {
          resourceType: 'Observation',
          id: resourceId,
          meta: { versionId },
          status: 'final',
          code: { coding: code ? [code] : [], text: s.code ?? 'unknown' },
          subject: { reference: 'Patient/p1' },
          effectiveDateTime: clinicalStart,
          issued: availableAt,
          ...(typeof s.value === 'number' ? { valueQuantity: { value: s.value, unit: s.unit } } : {}),
        }
      : undefined;
  return {
    id: s.id,
    patientRecord: 'p1',
    modality: s.modality ?? 'labs',
    resourceType,
    resourceId,
    versionId,
    ...(code ? { code } : {}),
    ...(s.value !== undefined ? { value: s.value } : {}),
    ...(s.unit ? { unit: s.unit } : {}),
    clinicalStart,
    receivedAt: availableAt,
    availableAt,
    status: s.status ?? 'final',
    ...(s.supersedes ? { supersedes: s.supersedes } : {}),
    source: { kind: 'hl7v2', messageId: `MSG-${s.id}` },
    ...(resource ? { resource } : {}),
  };
}
