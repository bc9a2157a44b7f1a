import type { Address } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { TransformContext } from './transform.js';

/** XAD → Address (IG XAD[Address]): 1.1 and 2 lines, 3 city, 4 state, 5 postal code, 6 country, 7 type (AddressUse). */
export function xadToAddress(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): Address | undefined {
  const c = (n: number, s?: number): string => field.component(n, s).trim();
  const line = [c(1, 1), c(2)].filter(Boolean);
  const [city, state, postalCode, country] = [c(3), c(4), c(5), c(6)];
  if (!line.length && !city && !state && !postalCode && !country) return undefined;
  const use = c(7) ? ctx.vocabularies.get('AddressUse')?.codes[c(7)]?.code : undefined;
  return {
    ...(use ? { use: use as Address['use'] } : {}),
    ...(line.length ? { line } : {}),
    ...(city ? { city } : {}),
    ...(state ? { state } : {}),
    ...(postalCode ? { postalCode } : {}),
    ...(country ? { country } : {}),
  };
}
