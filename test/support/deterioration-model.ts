import path from 'node:path';
import { buildAlignedBundle } from '../../src/fusion/build-aligned-bundle.js';
import type { AlignedBundle } from '../../src/fusion/aligned-bundle.types.js';
import { loadSpec } from '../../src/fusion/spec.js';
import type { Modality, TimelineEvent } from '../../src/timeline/timeline-event.js';
import { INDEX_TIME, makeEvent } from './event-fixtures.js';
import { REPO_ROOT } from './paths.js';

/**
 * The shipped illustrative model, restated
 * independently of the .onnx file and its generator, so that a test compares ONNX Runtime's (or a
 * model server's) answer with plain JS arithmetic: p = σ(b + Σ wᵢ·(xᵢ − cᵢ)).
 */
export const DETERIORATION_COLUMNS: [string, number, number][] = [
  ['respiratory-rate', 16, 0.12],
  ['heart-rate', 80, 0.03],
  ['systolic-bp', 120, -0.02],
  ['temperature', 37, 0.3],
  ['spo2', 96, -0.15],
  ['creatinine', 1, 0.6],
  ['creatinine:missing', 0, 0.1],
  ['lactate', 1.5, 0.5],
  ['lactate:missing', 0, 0.2],
];
export const DETERIORATION_INTERCEPT = -3;

export function referenceLogit(row: readonly number[]): number {
  return DETERIORATION_COLUMNS.reduce((z, [, c, w], i) => z + w * ((row[i] as number) - c), DETERIORATION_INTERCEPT);
}
export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export const MODELS_DIR = path.join(REPO_ROOT, 'profiles/models');
const spec = loadSpec('default', path.join(REPO_ROOT, 'profiles/fusion'));

const LOINC_VITALS: Record<string, string> = { rr: '9279-1', hr: '8867-4', sbp: '8480-6', temp: '8310-5', spo2: '59408-5' };
const VITAL_UNITS: Record<string, string> = { rr: '/min', hr: '/min', sbp: 'mm[Hg]', temp: 'Cel', spo2: '%' };

export function vitals(v: Partial<Record<keyof typeof LOINC_VITALS, number>>, hours = -1): TimelineEvent[] {
  return Object.entries(v).map(([k, value]) => makeEvent({ id: `v-${k}`, modality: 'vitals', code: LOINC_VITALS[k] as string, value, unit: VITAL_UNITS[k] as string, clinicalHours: hours }));
}

export function lab(id: string, code: '2160-0' | '2524-7', value: number | string, unit: string, hours: number): TimelineEvent {
  return makeEvent({ id, modality: 'labs', code, value, unit, clinicalHours: hours });
}

export function bundleOf(events: TimelineEvent[], errors?: Partial<Record<Modality, string>>): AlignedBundle {
  return buildAlignedBundle({ patient: 'p1', indexTime: INDEX_TIME, spec, events, ...(errors ? { errors } : {}) });
}

/** A sick-looking patient: every feature present, creatinine given twice (max is used). */
export const SICK = (): TimelineEvent[] => [
  ...vitals({ rr: 24, hr: 110, sbp: 95, temp: 38.5, spo2: 92 }),
  lab('cr-old', '2160-0', 1.2, 'mg/dL', -30),
  lab('cr-new', '2160-0', 2.0, 'mg/dL', -6),
  lab('lac', '2524-7', 3.1, 'mmol/L', -2),
];
/** SICK's input row, by hand. */
export const SICK_ROW = [24, 110, 95, 38.5, 92, 2.0, 0, 3.1, 0];
