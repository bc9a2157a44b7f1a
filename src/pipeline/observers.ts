import { loadIdentityDeps, type IdentityDeps } from '../identity/identity-deps.js';
import type { Config } from '../config/config.schema.js';
import { encounterObserver } from './encounter.observer.js';
import { identityObserver } from './identity.observer.js';
import type { ResourceObserver } from './resource-observer.js';
import { timelineObserver } from './timeline.observer.js';

/**
 * The one list of consumers every ingest path (HL7v2 worker, POST /fhir, import, pull) runs after a
 * resource is stored, in this order. A new consumer (e.g. encounters) is one more line here.
 */
export function createObservers(deps: { identity?: IdentityDeps; config?: Pick<Config, 'tz' | 'facilityTz'> } = {}): ResourceObserver[] {
  // Encounters before the timeline, so a fact without a visit number finds the encounter its ADT opened.
  const encounter = encounterObserver({ config: deps.config ?? { tz: 'UTC', facilityTz: {} } });
  return [identityObserver(deps.identity ?? loadIdentityDeps()), encounter, timelineObserver()];
}
