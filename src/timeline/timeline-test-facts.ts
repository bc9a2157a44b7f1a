import type { NewTimelineEvent } from './new-timeline-event.js';
import type { Modality } from './timeline-event.js';

/** Test helper (not used by production code): a fact version, times in hours around an index time. */
export const TEST_INDEX = '2024-03-10T12:00:00.000Z';
export const hoursFromIndex = (h: number): string => new Date(Date.parse(TEST_INDEX) + h * 3_600_000).toISOString();

export interface FactSeed {
  resourceId: string;
  version?: number;
  patient?: string;
  modality?: Modality;
  code?: string;
  value?: number;
  clinical: number;
  available: number;
  status?: string;
  factKey?: string;
  encounterId?: string;
}

export function fact(s: FactSeed): NewTimelineEvent {
  const modality = s.modality ?? 'labs';
  return {
    patientRecord: s.patient ?? 'p1',
    ...(s.encounterId ? { encounterId: s.encounterId } : {}),
    modality,
    resourceType: 'Observation',
    resourceId: s.resourceId,
    versionId: String(s.version ?? 1),
    factKey: s.factKey ?? '',
    code: { system: 'http://loinc.org', code: s.code ?? (modality === 'vitals' ? '8867-4' : '2160-0') },
    category: modality === 'vitals' ? 'vital-signs' : 'laboratory',
    ...(s.value !== undefined ? { value: s.value } : {}),
    clinicalStart: hoursFromIndex(s.clinical),
    receivedAt: hoursFromIndex(s.available),
    availableAt: hoursFromIndex(s.available),
    availableRule: 'live',
    status: s.status ?? 'final',
    source: { kind: 'hl7v2', messageId: `M-${s.resourceId}-${s.version ?? 1}`, system: 'LAB' },
  };
}
