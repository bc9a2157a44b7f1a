import { appendTimeline } from '../timeline/timeline.repository.js';
import { eventsFromResource } from '../timeline/events-from-resource.js';
import type { ResourceObserver } from './resource-observer.js';

/** Every new version of a clinical resource becomes timeline rows carrying both clocks. */
export function timelineObserver(): ResourceObserver {
  return {
    name: 'timeline',
    async onStored({ trx, resource, versionId, changed, source }) {
      if (!changed) return;
      const rows = eventsFromResource(resource, {
        versionId,
        receivedAt: source.receivedAt,
        backfill: source.backfill,
        source: { kind: source.kind === 'hl7v2' ? 'hl7v2' : 'fhir', messageId: source.messageId },
      });
      await appendTimeline(trx, rows);
    },
  };
}
