import type { Db } from '../db/database.js';
import { readResource } from '../fhir/resource.repository.js';
import { sourcesOfGoldenAsOf } from './history.js';

/**
 * A Patient id's source records as the identity layer knew them at `asOf` — the one rule every
 * reader of a patient's facts uses (`/fhir`, `$aligned-bundle`, `sinew bundle`, the demo): the
 * MATCH links valid then and recorded by then; a record the index had not linked yet is its own
 * only record; [] when no such Patient exists.
 */
export function patientRecordsResolver(db: Db, knownAt?: (asOf: Date) => Date): (patientId: string, asOf: Date) => Promise<string[]> {
  return async (patientId, asOf) => {
    const linked = await sourcesOfGoldenAsOf(db, patientId, asOf, knownAt ? knownAt(asOf) : asOf);
    if (linked.length) return linked;
    try {
      await readResource(db, 'Patient', patientId);
      return [patientId];
    } catch {
      return [];
    }
  };
}
