import type { Patient } from '@medplum/fhirtypes';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { currentLinkOf } from '../identity/link-store.js';
import { link, mergeSources } from '../identity/merge.js';
import { indexSourcePatient } from '../identity/patient-index.repository.js';
import type { ResourceObserver } from './resource-observer.js';

/**
 * Every stored source Patient enters the index; a Patient retired by the sender (`link`
 * replaced-by, from A40/A34/A47 or FHIR) is merged as the sender asked, recorded and reversible.
 */
export function identityObserver(deps: IdentityDeps): ResourceObserver {
  return {
    name: 'identity',
    async onStored({ trx, resource, changed, source }) {
      if (resource.resourceType !== 'Patient' || !changed) return;
      const patient = resource as Patient;
      await indexSourcePatient(trx, patient, { at: source.receivedAt, by: source.messageId ? `hl7v2:${source.messageId}` : source.kind }, deps);
      const survivor = patient.link?.find((l) => l.type === 'replaced-by')?.other.reference?.replace(/^Patient\//, '');
      if (survivor && survivor !== patient.id) {
        const by = source.messageId ? `hl7v2:${source.messageId}` : source.kind;
        const [from, into] = await Promise.all([currentLinkOf(trx, patient.id as string), currentLinkOf(trx, survivor)]);
        if (from && into && from.golden_id === into.golden_id) {
          // The index had already linked the two; the sender's merge confirms it, so pin it as a
          // person's decision (never undone by the machine) instead of failing the message.
          if (from.how !== 'MANUAL' || from.state !== 'MATCH') await link(trx, patient.id as string, into.golden_id, by, { at: source.receivedAt });
        } else {
          await mergeSources(trx, { from: patient.id as string, into: survivor, by, at: source.receivedAt }, deps);
        }
      }
    },
  };
}
