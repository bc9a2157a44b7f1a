import type { Identifier } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { TransformContext } from './transform.js';

/**
 * CX → Identifier (IG CX[Identifier]): CX.1 value, CX.4 assigning authority as system (CX.4.2 OID
 * as urn:oid, else a Sinew namespace on CX.4.1), CX.5 identifier type via table 0203.
 */
export function cxToIdentifier(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): Identifier | undefined {
  const value = field.component(1).trim();
  if (!value) return undefined;
  const system = authoritySystem(field.component(4, 1), field.component(4, 2), field.component(4, 3));
  const typeCode = field.component(5).trim();
  const mapped = typeCode ? ctx.vocabularies.get('IdentifierType')?.codes[typeCode] : undefined;
  const type = typeCode
    ? { coding: [{ system: mapped?.system ?? 'http://terminology.hl7.org/CodeSystem/v2-0203', code: mapped?.code ?? typeCode, ...(mapped?.display ? { display: mapped.display } : {}) }] }
    : undefined;
  return { ...(type ? { type } : {}), ...(system ? { system } : {}), value };
}

/** HD → system URI: an ISO OID wins; a bare namespace id gets a stable Sinew URN. */
export function authoritySystem(namespace: string, universalId: string, universalType: string): string | undefined {
  if (universalId && (universalType.toUpperCase() === 'ISO' || /^\d+(?:\.\d+)+$/.test(universalId))) return `urn:oid:${universalId}`;
  if (universalId && /^(?:urn:|https?:\/\/)/.test(universalId)) return universalId;
  const ns = namespace.trim() || universalId.trim();
  return ns ? `urn:sinew:assigning-authority:${encodeURIComponent(ns)}` : undefined;
}
