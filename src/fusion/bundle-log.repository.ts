import type { Db } from '../db/database.js';
import type { BundleLogModality } from '../db/tables/timeline.table.js';
import type { AlignedBundle } from './aligned-bundle.types.js';

/** The manifest of one bundle: per modality its status, item count and the newest item's age. */
export function bundleManifest(bundle: AlignedBundle): BundleLogModality[] {
  return bundle.modalities.map((m) => {
    const ages = m.items.map((i) => i.ageSeconds);
    return { name: m.name, status: m.status, count: m.count, ...(ages.length ? { ageSeconds: Math.min(...ages) } : {}) };
  });
}

/** One bundle_log row per bundle served; monitoring reads presence and staleness from here. */
export async function logBundleManifest(db: Db, bundle: AlignedBundle, createdAt: Date = new Date()): Promise<void> {
  await db
    .insertInto('bundle_log')
    .values({
      bundle_id: bundle.id,
      patient: bundle.patient,
      index_time: bundle.indexTime,
      as_of: bundle.asOf,
      spec: `${bundle.spec.name}@${bundle.spec.version}`,
      modalities: JSON.stringify(bundleManifest(bundle)),
      created_at: createdAt,
    })
    .execute();
}
