import type { PendingEvent, TimelineCoding, TimelineEvent } from '../timeline/timeline-event.js';
import type { ModalitySpec } from './spec.js';

/** Versions that withdraw a fact: once available, the fact no longer exists for the model. */
export const WITHDRAWN_STATUSES: ReadonlySet<string> = new Set(['entered-in-error', 'cancelled']);

export interface Window {
  /** null: no lower bound (lookback `all`). */
  startMs: number | null;
  endMs: number;
}

/** `[T − lookback, T − gap]`, both ends inclusive ("up to and including", as MEDS/ACES do). */
export function windowFor(spec: ModalitySpec, indexMs: number): Window {
  return { startMs: spec.lookbackMs === null ? null : indexMs - spec.lookbackMs, endMs: indexMs - spec.gapMs };
}

/**
 * An interval fact (a medication course, a problem) counts when it overlaps the window; a point fact
 * when it lies inside. A missing end means a point at the start.
 */
export function inWindow(e: { clinicalStart: string; clinicalEnd?: string }, w: Window): boolean {
  const start = Date.parse(e.clinicalStart);
  const end = e.clinicalEnd ? Date.parse(e.clinicalEnd) : start;
  if (Number.isNaN(start) || Number.isNaN(end)) return false;
  return start <= w.endMs && (w.startMs === null || end >= w.startMs);
}

export function codeKey(c?: TimelineCoding): string {
  return c ? `${c.system}|${c.code}` : '';
}

function matchesSelector(e: Pick<TimelineEvent, 'resourceType' | 'code' | 'category'> & { status?: string }, spec: ModalitySpec): boolean {
  const s = spec.select;
  if (!s.resourceTypes.includes(e.resourceType)) return false;
  if (s.categories && !(e.category !== undefined && s.categories.includes(e.category))) return false;
  if (s.codes && !s.codes.some((c) => c.system === e.code?.system && c.code === e.code?.code)) return false;
  if (s.statuses && e.status !== undefined && !s.statuses.includes(e.status)) return false;
  return true;
}

/** Newest first by clinical time, then available time, then id: a total order, so output is stable. */
export function newestFirst(a: TimelineEvent, b: TimelineEvent): number {
  return (
    Date.parse(b.clinicalStart) - Date.parse(a.clinicalStart) ||
    Date.parse(b.availableAt) - Date.parse(a.availableAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function isLaterVersion(e: TimelineEvent, prev: TimelineEvent): boolean {
  const byAvailable = Date.parse(e.availableAt) - Date.parse(prev.availableAt);
  if (byAvailable !== 0) return byAvailable > 0;
  const byVersion = e.versionId.localeCompare(prev.versionId, 'en', { numeric: true });
  if (byVersion !== 0) return byVersion > 0;
  return e.id > prev.id;
}

/**
 * The version of each resource valid at as-of: the latest available version wins, and a version
 * named by another's `supersedes` drops out. The as-of SQL does this already; repeating it here keeps
 * the builder correct for any input the property tests can invent.
 */
export function currentVersions(events: readonly TimelineEvent[], asOfMs: number): TimelineEvent[] {
  const known = events.filter((e) => Date.parse(e.availableAt) <= asOfMs);
  const superseded = new Set(known.flatMap((e) => (e.supersedes ? [e.supersedes] : [])));
  const latest = new Map<string, TimelineEvent>();
  const live = known.filter((e) => !superseded.has(e.id));
  for (const e of live) {
    const key = `${e.resourceType}/${e.resourceId}`;
    const prev = latest.get(key);
    if (!prev || isLaterVersion(e, prev)) latest.set(key, e);
  }
  // Every fact of the winning version survives: an Observation's components are rows of one version.
  const sameVersion = (e: TimelineEvent, w: TimelineEvent | undefined): boolean =>
    w !== undefined && e.versionId === w.versionId && Date.parse(e.availableAt) === Date.parse(w.availableAt);
  return live.filter((e) => sameVersion(e, latest.get(`${e.resourceType}/${e.resourceId}`)) && !WITHDRAWN_STATUSES.has(e.status));
}

/** The events of one modality inside its window, chosen by the spec's selection rule. */
export function selectItems(events: readonly TimelineEvent[], spec: ModalitySpec, w: Window): TimelineEvent[] {
  const inside = events.filter((e) => matchesSelector(e, spec) && inWindow(e, w)).sort(newestFirst);
  if (spec.selection !== 'latest-per-code') return inside;
  const seen = new Set<string>();
  return inside.filter((e) => {
    const key = e.code ? codeKey(e.code) : `${e.resourceType}/${e.resourceId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function pendingInWindow(pending: readonly PendingEvent[], spec: ModalitySpec, w: Window): PendingEvent[] {
  return pending.filter((p) => matchesSelector(p, spec) && inWindow(p, w));
}
