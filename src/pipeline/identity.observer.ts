import type { Patient } from '@medplum/fhirtypes';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { mergeSources } from '../identity/merge.js';
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
        await mergeSources(trx, { from: patient.id as string, into: survivor, by: source.messageId ? `hl7v2:${source.messageId}` : source.kind, at: source.receivedAt }, deps);
      }
    },
  };
}
