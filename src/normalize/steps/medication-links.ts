import type { MedicationAdministration, MedicationDispense } from '@medplum/fhirtypes';
import { deterministicId, idRules } from '../resource-ids.js';
import { live, type Assembly } from './assembly.js';

/**
 * RDS/RAS name the order they fill in their ORC, the same ORC the RDE carried: the
 * MedicationRequest id is recomputed from it with the `medication-request` rule, so the dispense
 * (authorizingPrescription) and administration (request) point at the stored order without the
 * order being resent. An ORC without order numbers gives no link.
 */
export function dispensePrescription(a: Assembly): void {
  for (const e of [...live(a, 'MedicationDispense'), ...live(a, 'MedicationAdministration')]) {
    const parts = idRules['medication-request']({
      message: a.message,
      segment: e.segment,
      nearest: (name) => a.message.segments(name).filter((s) => s.index < e.segment.index).pop(),
    });
    if (!parts) continue;
    const reference = { reference: `MedicationRequest/${deterministicId('MedicationRequest', parts)}` };
    if (e.resource.resourceType === 'MedicationDispense') (e.resource as MedicationDispense).authorizingPrescription = [reference];
    else (e.resource as MedicationAdministration).request = reference;
  }
}
