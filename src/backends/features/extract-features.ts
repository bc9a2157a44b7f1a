import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import { MODALITIES, type Modality, type TimelineEvent } from '../../timeline/timeline-event.js';
import { hasCode, modalityItems, modalityResult } from '../model-backend.js';
import { featureColumns, type FeatureSpec } from './feature-spec.js';

/** One feature as read from the bundle; `value` undefined = missing, with the reason. */
export interface FeatureValue {
  name: string;
  modality: Modality;
  value?: number;
  reason?: string;
  /** Timeline events the value rests on. */
  eventIds: string[];
}

export interface ExtractedFeatures {
  values: FeatureValue[];
  warnings: string[];
}

/** A modality's items, or why none can be used (then every feature of it is missing). */
function usableItems(bundle: AlignedBundle, m: Modality, acceptStale: boolean): { items: TimelineEvent[] } | { reason: string } {
  const r = modalityResult(bundle, m);
  if (!r) return { reason: `${m} not in the bundle` };
  // Absent and pending are real observations of "nothing available yet": a count of 0 is true.
  if (r.status === 'present' || r.status === 'absent' || r.status === 'pending' || (r.status === 'stale' && acceptStale)) return { items: modalityItems(bundle, m) };
  return { reason: `${m} ${r.status}: ${r.reason}` };
}

const newestFirst = (a: TimelineEvent, b: TimelineEvent) => Date.parse(b.clinicalStart) - Date.parse(a.clinicalStart) || Date.parse(b.availableAt) - Date.parse(a.availableAt);

/** The item's value in the feature's unit, or why it cannot be used. */
function readValue(f: FeatureSpec, e: TimelineEvent): { value: number } | { problem: string } {
  if (typeof e.value !== 'number' || !Number.isFinite(e.value)) return { problem: `value ${JSON.stringify(e.value ?? null)} is not a number` };
  const unit = e.unit?.trim();
  if (unit === f.unit) return { value: e.value };
  const c = f.convert.find((x) => x.unit === unit);
  if (c) return { value: (e.value + c.add) * c.multiply };
  return { problem: unit ? `unit "${unit}" is not "${f.unit}"${f.convert.length ? ` and has no declared conversion` : ''}` : `has no unit (expected "${f.unit}")` };
}

function select(f: FeatureSpec, items: TimelineEvent[], indexMs: number, warnings: string[]): Omit<FeatureValue, 'name' | 'modality'> {
  const hits = items.filter((e) => hasCode(e, f.codes)).sort(newestFirst);
  if (f.selection === 'count') return { value: hits.length, eventIds: hits.map((e) => e.id) };
  if (f.selection === 'present') return { value: hits.length ? 1 : 0, eventIds: hits.slice(0, 1).map((e) => e.id) };
  const newest = hits[0];
  if (f.selection === 'age-hours') {
    return newest ? { value: (indexMs - Date.parse(newest.clinicalStart)) / 3_600_000, eventIds: [newest.id] } : { reason: `no ${f.name} item in ${f.modality}`, eventIds: [] };
  }
  const read: { e: TimelineEvent; value: number }[] = [];
  for (const e of hits) {
    const r = readValue(f, e);
    if ('value' in r) read.push({ e, value: r.value });
    else warnings.push(`${f.name}: item ${e.id} skipped: ${r.problem}`);
  }
  if (read.length === 0) return { reason: hits.length ? `no usable ${f.name} value in ${f.modality}` : `no ${f.name} item in ${f.modality}`, eventIds: [] };
  if (f.selection === 'latest') return { value: (read[0] as (typeof read)[number]).value, eventIds: [(read[0] as (typeof read)[number]).e.id] };
  const values = read.map((x) => x.value);
  const value = f.selection === 'min' ? Math.min(...values) : f.selection === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
  // min/max rest on the item that gave the value; mean on all of them.
  const eventIds = f.selection === 'mean' ? read.map((x) => x.e.id) : read.filter((x) => x.value === value).slice(0, 1).map((x) => x.e.id);
  return { value, eventIds };
}

/** Read every declared feature from the bundle, in declaration order. */
export function extractFeatures(bundle: AlignedBundle, features: readonly FeatureSpec[], acceptStale: boolean): ExtractedFeatures {
  const warnings: string[] = [];
  const indexMs = Date.parse(bundle.indexTime);
  const byModality = new Map<Modality, ReturnType<typeof usableItems>>();
  const values = features.map((f): FeatureValue => {
    const src = byModality.get(f.modality) ?? usableItems(bundle, f.modality, acceptStale);
    byModality.set(f.modality, src);
    if ('reason' in src) return { name: f.name, modality: f.modality, reason: src.reason, eventIds: [] };
    return { name: f.name, modality: f.modality, ...select(f, src.items, indexMs, warnings) };
  });
  return { values, warnings };
}

/** The modalities the features read, in MODALITIES order. */
export function featureModalities(features: readonly FeatureSpec[]): Modality[] {
  return MODALITIES.filter((m) => features.some((f) => f.modality === m));
}

/** One input row; features of the `occluded` modalities are set to missing (their declared policy). */
export function featureRow(features: readonly FeatureSpec[], values: readonly FeatureValue[], occluded?: Modality): number[] {
  return features.flatMap((f, i) => {
    const v = values[i];
    const missing = v?.value === undefined || f.modality === occluded;
    const x = missing ? f.missing.value : (v.value as number);
    return f.missing.policy === 'indicator' ? [x, missing ? 1 : 0] : [x];
  });
}

export interface InputRows {
  columns: string[];
  /** Row 0: the bundle as it is; row i: modalities[i − 1] occluded (for attribution). */
  rows: number[][];
  modalities: Modality[];
}

export function inputRows(features: readonly FeatureSpec[], values: readonly FeatureValue[]): InputRows {
  const modalities = featureModalities(features);
  return { columns: featureColumns(features), rows: [featureRow(features, values), ...modalities.map((m) => featureRow(features, values, m))], modalities };
}
