import { OperationOutcomeError, badRequest, invalidIssue, throwIfIssues } from '../fhir/outcomes.js';
import { MODALITIES, type Modality, type TimelineEvent } from '../timeline/timeline-event.js';
import type { AlignedBundle, AlignedItemRef, BuildAlignedBundleInput, ModalityResult, TrendSeries } from './aligned-bundle.types.js';
import { alignedBundleId } from './bundle-id.js';
import type { ModalitySpec } from './spec.js';
import { codeKey, currentVersions, newestFirst, pendingInWindow, selectItems, windowFor, type Window } from './select-items.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function parseInstant(text: string, param: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new OperationOutcomeError(badRequest(`${param} "${text}" is not a valid dateTime`, param));
  return ms;
}

function itemRef(e: TimelineEvent, indexMs: number): AlignedItemRef {
  return {
    eventId: e.id,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    versionId: e.versionId,
    ...(e.code ? { code: e.code } : {}),
    clinicalTime: iso(Date.parse(e.clinicalStart)),
    availableAt: iso(Date.parse(e.availableAt)),
    ageSeconds: Math.round((indexMs - Date.parse(e.clinicalStart)) / 1000),
  };
}

function trendSeries(items: readonly TimelineEvent[], indexMs: number): TrendSeries[] {
  const byCode = new Map<string, TimelineEvent[]>();
  for (const e of items) byCode.set(codeKey(e.code), [...(byCode.get(codeKey(e.code)) ?? []), e]);
  return [...byCode.keys()].sort().map((key) => {
    const events = [...(byCode.get(key) ?? [])].sort((a, b) => -newestFirst(a, b));
    const first = events[0];
    return {
      ...(first?.code ? { code: first.code } : {}),
      ...(first?.unit ? { unit: first.unit } : {}),
      points: events.map((e) => ({
        clinicalTime: iso(Date.parse(e.clinicalStart)),
        ageSeconds: Math.round((indexMs - Date.parse(e.clinicalStart)) / 1000),
        ...(e.value !== undefined ? { value: e.value } : {}),
        eventId: e.id,
      })),
    };
  });
}

function hours(ms: number): string {
  return `${Math.round((ms / 3_600_000) * 10) / 10} h`;
}

interface ModalityContext {
  name: Modality;
  spec: ModalitySpec;
  window: Window;
  indexMs: number;
  current: readonly TimelineEvent[];
  input: BuildAlignedBundleInput;
}

function alignModality(c: ModalityContext): { result: ModalityResult; items: TimelineEvent[] } {
  const { name, spec, window, indexMs, input } = c;
  const base = {
    name,
    required: spec.required,
    ...(window.startMs !== null ? { windowStart: iso(window.startMs) } : {}),
    windowEnd: iso(window.endMs),
  };
  const denied = input.notAuthorized?.[name];
  if (denied !== undefined) {
    const result: ModalityResult = { ...base, status: 'not-authorized', reason: denied, items: [], count: 0, pendingCount: 0 };
    return { result, items: [] };
  }
  const items = selectItems(c.current.filter((e) => e.modality === name), spec, window);
  const pendingCount = pendingInWindow((input.pendingEvents ?? []).filter((p) => p.modality === name), spec, window).length;
  const refs = items.map((e) => itemRef(e, indexMs));
  const newestClinicalMs = Math.max(...items.map((e) => Date.parse(e.clinicalStart)));
  const newestAvailableMs = Math.max(...items.map((e) => Date.parse(e.availableAt)));
  const error = input.errors?.[name];
  const pendingNote = pendingCount > 0 ? `; ${pendingCount} pending (clinical time in window, not yet available)` : '';
  let status: ModalityResult['status'];
  let reason: string;
  if (error !== undefined) {
    [status, reason] = ['error', `source failed: ${error}`];
  } else if (items.length > 0 && spec.maxAgeMs !== undefined && indexMs - newestClinicalMs > spec.maxAgeMs) {
    [status, reason] = ['stale', `newest item is ${hours(indexMs - newestClinicalMs)} old, over maxAge ${spec.maxAge}${pendingNote}`];
  } else if (items.length > 0) {
    [status, reason] = ['present', `${items.length} item(s) in window${pendingNote}`];
  } else if (pendingCount > 0) {
    [status, reason] = ['pending', `${pendingCount} item(s) in window not yet available at as-of`];
  } else {
    [status, reason] = ['absent', 'nothing in window'];
  }
  const result: ModalityResult = {
    ...base,
    status,
    reason,
    items: refs,
    ...(items.length > 0 ? { newestAvailableAt: iso(newestAvailableMs) } : {}),
    count: items.length,
    pendingCount,
    ...(spec.selection === 'trend' ? { series: trendSeries(items, indexMs) } : {}),
  };
  return { result, items };
}

/**
 * The pure heart of `$aligned-bundle`: given what the as-of query returned, decide per modality what
 * is in its window and why anything is missing. Nothing available after as-of is ever included,
 * whatever the caller passes. See notes/fusion.md §4.1 and issue 5.
 */
export function buildAlignedBundle(input: BuildAlignedBundleInput): AlignedBundle {
  const indexMs = parseInstant(input.indexTime, 'index-time');
  const asOfMs = input.asOf === undefined ? indexMs : parseInstant(input.asOf, 'as-of');
  const { spec } = input;
  const inSpec = MODALITIES.filter((m) => spec.modalities[m] !== undefined);
  const requested = input.modalities ? MODALITIES.filter((m) => input.modalities?.includes(m)) : inSpec;
  throwIfIssues(
    requested
      .filter((m) => !inSpec.includes(m))
      .map((m) => invalidIssue(`modality "${m}" is not in spec ${spec.name}@${spec.version} (has: ${inSpec.join(', ')})`, 'modality')),
  );
  const current = currentVersions(input.events, asOfMs);
  const modalities: ModalityResult[] = [];
  const included = new Map<string, TimelineEvent>();
  for (const name of requested) {
    const mSpec = spec.modalities[name] as ModalitySpec;
    const { result, items } = alignModality({ name, spec: mSpec, window: windowFor(mSpec, indexMs), indexMs, current, input });
    modalities.push(result);
    for (const e of items) included.set(e.id, e);
  }
  const items = [...included.values()];
  const indexTime = iso(indexMs);
  const asOf = iso(asOfMs);
  const specRef = { name: spec.name, version: spec.version };
  return {
    id: alignedBundleId(input.patient, indexTime, asOf, specRef, items),
    patient: input.patient,
    indexTime,
    asOf,
    leakageSafe: asOfMs <= indexMs,
    spec: specRef,
    modalities,
    items,
  };
}
