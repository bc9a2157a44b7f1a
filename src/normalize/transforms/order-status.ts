import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { ERROR_CODES } from '../convert-issue.js';
import type { TransformContext } from './transform.js';

/**
 * ORC-5 order status (IG ConceptMap OrderStatus, table 0038) wins; when ORC-5 is empty, ORC-1
 * order control (IG ConceptMap OrderControlCode[ServiceRequest.status], table 0119), per the IG
 * ORC[ServiceRequest] rows "ORC-1 IF ORC-5 NOT VALUED" and "ORC-5". Applied to field ORC-1 (always
 * valued) so that both are read from the same ORC. Result: a ServiceRequest.status code.
 */
export function orcToRequestStatus(field: Hl7v2Field, ctx: TransformContext): string | undefined {
  const status = ctx.segment.field(5).component(1).trim().toUpperCase();
  const control = field.component(1).trim().toUpperCase();
  const byStatus = status ? ctx.vocabularies.get('OrderStatus')?.codes[status]?.code : undefined;
  if (byStatus) return byStatus;
  const byControl = ctx.vocabularies.get('OrderControlCode')?.codes[control]?.code;
  if (byControl) return byControl;
  ctx.issue('warning', ERROR_CODES.tableValueNotFound, `neither ORC-5 "${status}" nor ORC-1 "${control}" gives an order status (tables 0038, 0119)`);
  return undefined;
}

/**
 * The same decision for MedicationRequest/MedicationDispense, whose status value sets have no
 * `revoked`: a cancel (CA/OC/CR, ORC-5 CA) is `cancelled`, a discontinue (DC/OD/DR, ORC-5 DC or RP
 * replaced) is `stopped` (https://hl7.org/fhir/R4/valueset-medicationrequest-status.html).
 */
export function orcToMedicationStatus(field: Hl7v2Field, ctx: TransformContext): string | undefined {
  const request = orcToRequestStatus(field, ctx);
  if (request !== 'revoked') return request;
  const status = ctx.segment.field(5).component(1).trim().toUpperCase();
  const control = field.component(1).trim().toUpperCase();
  return status === 'CA' || (!status && ['CA', 'OC', 'CR'].includes(control)) ? 'cancelled' : 'stopped';
}
