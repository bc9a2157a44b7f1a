import { z } from 'zod';
import type { TimelineCoding, TimelineEvent } from '../../timeline/timeline-event.js';
import { hasCode } from '../model-backend.js';
import type { Acvpu, News2Inputs, News2Parameter } from './news2-score.js';

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const codingSchema = z.strictObject({ system: z.string().min(1), code: z.string().min(1) });

/**
 * Which codes carry each parameter. Defaults: LOINC vital-sign codes of the FHIR R4 vital signs
 * profile; ACVPU as SNOMED 1104441000000107 (UK Core consciousness example); supplemental oxygen as
 * inhaled O2 concentration (3150-0) or flow (3151-8).
 */
export const DEFAULT_NEWS2_CODES: Record<News2Parameter, TimelineCoding[]> = {
  respirationRate: [{ system: LOINC, code: '9279-1' }],
  spo2: [{ system: LOINC, code: '59408-5' }, { system: LOINC, code: '2708-6' }],
  supplementalOxygen: [{ system: LOINC, code: '3150-0' }, { system: LOINC, code: '3151-8' }],
  systolicBp: [{ system: LOINC, code: '8480-6' }],
  pulse: [{ system: LOINC, code: '8867-4' }],
  consciousness: [{ system: SNOMED, code: '1104441000000107' }],
  temperature: [{ system: LOINC, code: '8310-5' }],
};

export const news2OptionsSchema = z.strictObject({
  spo2Scale: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Warn when the newest readings were taken further apart than this: they are not one set. */
  maxSpreadMinutes: z.number().positive().default(60),
  codes: z.partialRecord(z.enum(['respirationRate', 'spo2', 'supplementalOxygen', 'systolicBp', 'pulse', 'consciousness', 'temperature']), z.array(codingSchema).min(1)).default({}),
});
export type News2Options = z.infer<typeof news2OptionsSchema>;

const ACVPU_WORDS: [RegExp, Acvpu][] = [
  [/^a$|alert/i, 'A'],
  [/^c$|confus/i, 'C'],
  [/^v$|voice/i, 'V'],
  [/^p$|pain/i, 'P'],
  [/^u$|unrespons/i, 'U'],
];
// SNOMED answer codes seen in UK Core examples; words in the display cover the rest.
const ACVPU_CODES: Record<string, Acvpu> = { '300202002': 'V' };

function toAcvpu(v: TimelineEvent['value']): Acvpu | undefined {
  if (v === undefined || typeof v === 'number' || typeof v === 'boolean') return undefined;
  if (typeof v === 'object') return ACVPU_CODES[v.code] ?? (v.display ? toAcvpu(v.display) : undefined);
  return ACVPU_WORDS.find(([re]) => re.test(v.trim()))?.[1];
}

function toOxygen(e: TimelineEvent): boolean | undefined {
  const v = e.value;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return /air/i.test(v) ? false : /oxygen|o2/i.test(v) ? true : undefined;
  if (typeof v !== 'number') return undefined;
  if (e.code?.code === '3151-8' || /l\/min/i.test(e.unit ?? '')) return v > 0;
  // FiO2 as a fraction or a percentage; room air is 21 %.
  return v <= 1 ? v > 0.21 : v > 21;
}

function toCelsius(e: TimelineEvent): number | undefined {
  if (typeof e.value !== 'number') return undefined;
  return /\[degF\]|°F|degF/i.test(e.unit ?? '') ? ((e.value - 32) * 5) / 9 : e.value;
}

function toNumber(e: TimelineEvent): number | undefined {
  return typeof e.value === 'number' && Number.isFinite(e.value) ? e.value : undefined;
}

const READERS: { [K in News2Parameter]: (e: TimelineEvent) => News2Inputs[K] } = {
  respirationRate: toNumber,
  spo2: (e) => {
    const v = toNumber(e);
    return v !== undefined && v <= 1 ? v * 100 : v;
  },
  supplementalOxygen: toOxygen,
  systolicBp: toNumber,
  pulse: toNumber,
  consciousness: (e) => toAcvpu(e.value),
  temperature: toCelsius,
};

export interface ExtractedNews2 {
  inputs: News2Inputs;
  used: Partial<Record<News2Parameter, TimelineEvent>>;
  warnings: string[];
}

/** The newest readable value of each parameter among the vitals items. */
export function extractNews2Inputs(vitals: readonly TimelineEvent[], options: News2Options): ExtractedNews2 {
  const inputs: Record<string, unknown> = {};
  const used: Partial<Record<News2Parameter, TimelineEvent>> = {};
  const warnings: string[] = [];
  const newest = [...vitals].sort((a, b) => Date.parse(b.clinicalStart) - Date.parse(a.clinicalStart));
  for (const p of Object.keys(READERS) as News2Parameter[]) {
    const codes = options.codes[p] ?? DEFAULT_NEWS2_CODES[p];
    const candidates = newest.filter((e) => hasCode(e, codes));
    const hit = candidates.find((e) => READERS[p](e) !== undefined);
    if (candidates.length > 0 && !hit) warnings.push(`${p}: value ${JSON.stringify(candidates[0]?.value)} not understood; treated as missing`);
    if (!hit) continue;
    inputs[p] = READERS[p](hit);
    used[p] = hit;
  }
  const times = Object.values(used).map((e) => Date.parse(e.clinicalStart));
  if (times.length > 1 && Math.max(...times) - Math.min(...times) > options.maxSpreadMinutes * 60_000) {
    warnings.push(`readings span ${Math.round((Math.max(...times) - Math.min(...times)) / 60_000)} min, more than ${options.maxSpreadMinutes}: not one observation set`);
  }
  return { inputs: inputs as News2Inputs, used, warnings };
}
