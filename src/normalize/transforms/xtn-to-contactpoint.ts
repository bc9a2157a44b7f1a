import type { ContactPoint } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { TransformContext } from './transform.js';

/**
 * XTN → ContactPoint (IG XTN[ContactPoint]): an Internet/X.400 address (or, with XTN.3 empty, any
 * XTN.4) is an email; otherwise the number is XTN.12 (unformatted), else the structured XTN.5-8,
 * else XTN.1 as sent. XTN.2 use (table 0201), XTN.3 equipment (table 0202), XTN.18 rank.
 */
export function xtnToContactPoint(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): ContactPoint | undefined {
  const c = (n: number): string => field.component(n).trim();
  const equipment = c(3);
  // A cell phone sent with an email beside it (XTN.3 CP, XTN.4 valued) is a phone: XTN.3 decides.
  const email = equipment === 'Internet' || equipment === 'X.400' || (!equipment && c(4) !== '');
  const structured = c(7) ? [c(5) && `+${c(5)}`, c(6) && `(${c(6)})`, c(7), c(8) && `ext. ${c(8)}`].filter(Boolean).join(' ') : '';
  const value = email ? c(4) || c(1) : c(12) || structured || c(1);
  if (!value) return undefined;
  const system = email ? 'email' : equipment === 'FX' ? 'fax' : equipment === 'BP' ? 'pager' : 'phone';
  const use = c(2) ? ctx.vocabularies.get('TelecommunicationUse')?.codes[c(2)]?.code : undefined;
  const rank = /^[1-9]\d{0,8}$/.test(c(18)) ? Number(c(18)) : undefined;
  return { system, value, ...(use ? { use: use as ContactPoint['use'] } : {}), ...(rank ? { rank } : {}) };
}
