import type { ContactPoint } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { TransformContext } from './transform.js';

/**
 * XTN → ContactPoint (IG XTN[ContactPoint]): XTN.4 email, else the structured number
 * (XTN.5-8), else XTN.1 as sent; XTN.2 use (table 0201), XTN.3 equipment (table 0202).
 */
export function xtnToContactPoint(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): ContactPoint | undefined {
  const c = (n: number): string => field.component(n).trim();
  const email = c(4);
  const structured = [c(5) && `+${c(5)}`, c(6) && `(${c(6)})`, c(7), c(8) && `ext. ${c(8)}`].filter(Boolean).join(' ');
  const value = email || structured || c(1) || c(12);
  if (!value) return undefined;
  const equipment = c(3);
  const system = email || equipment === 'Internet' || equipment === 'X.400' ? 'email' : equipment === 'FX' ? 'fax' : equipment === 'BP' ? 'pager' : 'phone';
  const use = c(2) ? ctx.vocabularies.get('TelecommunicationUse')?.codes[c(2)]?.code : undefined;
  return { system, value, ...(use ? { use: use as ContactPoint['use'] } : {}) };
}
