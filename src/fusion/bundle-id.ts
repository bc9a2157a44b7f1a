import { createHash } from 'node:crypto';
import type { TimelineEvent } from '../timeline/timeline-event.js';

/**
 * Deterministic bundle id (notes/fusion.md §4.1: "hash of patient + index-time + as-of + spec
 * version + data versions"). Times must already be normalized ISO instants so that equal instants
 * written differently hash the same. 64 hex characters also fit FHIR's id pattern.
 */
export function alignedBundleId(
  patient: string,
  indexTime: string,
  asOf: string,
  spec: { name: string; version: string },
  items: readonly Pick<TimelineEvent, 'resourceType' | 'resourceId' | 'versionId'>[],
): string {
  const versions = items.map((e) => `${e.resourceType}/${e.resourceId}/${e.versionId}`).sort();
  const payload = JSON.stringify([patient, indexTime, asOf, `${spec.name}@${spec.version}`, versions]);
  return createHash('sha256').update(payload).digest('hex');
}
