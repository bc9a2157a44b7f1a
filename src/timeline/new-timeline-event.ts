import type { AvailableRule } from '../db/tables/timeline.table.js';
import type { TimelineEvent } from './timeline-event.js';

export type { AvailableRule };

/** A fact version about to be appended; the store assigns `id`, `supersedes` and the closing marker. */
export type NewTimelineEvent = Omit<TimelineEvent, 'id' | 'supersedes'> & {
  /** '' for the resource's own fact; the component code for an expanded Observation component. */
  factKey: string;
  availableRule: AvailableRule;
};

/**
 * When a fact became available (issue 5 §1). Live intake (MLLP, `POST`): the later of the source's
 * recorded time and Sinew's receipt, so a result is never usable before either clock says it
 * existed. Backfill (`sinew import`, `sinew pull`): the source's recorded time, since Sinew did not
 * exist when the fact became known; without one, receipt time (and the rule says so).
 */
export function availableAt(sourceRecordedAt: Date | undefined, receivedAt: Date, backfill: boolean): { at: Date; rule: AvailableRule } {
  if (backfill) return sourceRecordedAt ? { at: sourceRecordedAt, rule: 'backfill' } : { at: receivedAt, rule: 'backfill-received' };
  const at = sourceRecordedAt && sourceRecordedAt.getTime() > receivedAt.getTime() ? sourceRecordedAt : receivedAt;
  return { at, rule: 'live' };
}
